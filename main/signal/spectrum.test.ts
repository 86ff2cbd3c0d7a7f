import { describe, expect, it } from 'vitest';
import { averageAmplitudeSpectrum } from './spectrum';

describe('averageAmplitudeSpectrum', () => {
  it('peaks at the frequency of a sinusoid and leaves dead traces out', () => {
    const shape = { traces: 3, samples: 256 };
    const dt = 0.004;
    const section = new Float32Array(shape.traces * shape.samples);
    for (let t = 0; t < 2; t++)
      for (let s = 0; s < 256; s++) section[t * 256 + s] = Math.sin(2 * Math.PI * 31.25 * s * dt);
    section.fill(1000, 512); // trace 2: a huge constant, marked dead
    const { frequenciesHz, amplitude } = averageAmplitudeSpectrum(section, shape, dt, Uint8Array.of(1, 1, 0));
    const peak = amplitude.indexOf(Math.max(...amplitude));
    expect(frequenciesHz[peak]).toBeCloseTo(31.25, 5);
    expect(frequenciesHz.at(-1)).toBeCloseTo(125, 5);
    expect(amplitude[0]).toBeLessThan(1); // the dead trace's DC is not averaged in
  });
});
