import { describe, expect, it } from 'vitest';
import type { VelocityBuild } from '../../../preload/contract';
import { mapSection, shotSection, valueRange } from './velocityPanels';

/** A 2 x 2 map build with one shot of 3 samples x 2 receivers. */
function tinyBuild(): VelocityBuild {
  return {
    surveyId: 's',
    model: { id: 'm', name: 'm' },
    builtAt: '',
    cells: 2,
    spacingM: 10,
    line: { originX: 0, originY: 0, azimuthDeg: 0 },
    sourceDelayMs: 0,
    // [z][x]: row z = 0 is 1500, 1600; row z = 1 is 2500, 2600.
    velocity: Float32Array.of(1500, 1600, 2500, 2600),
    spread: Float32Array.of(10, 20, 30, 40),
    baseline: Float32Array.of(1400, 1400, 3000, 3000),
    shots: {
      count: 1,
      samples: 3,
      receivers: 2,
      sampleIntervalMs: 1,
      sourcePositionsM: [0],
      // [time][receiver]
      input: Float32Array.of(1, 2, 3, 4, 5, 6),
      modelled: Float32Array.of(1, 1, 1, 1, 1, 1),
    },
    modelledScale: 1,
    relativeResidual: 0.5,
    augmentedMaps: 12,
    notes: [],
    seconds: { read: 0, predict: 0, baseline: 0, modelling: 0, total: 0 },
  };
}

describe('velocity build panels', () => {
  it('draws a map as traces along the line (distance in m) with samples down in depth (m)', () => {
    const section = mapSection(tinyBuild(), 'velocity', 'Ensemble velocity');
    expect(Array.from(section.data)).toEqual([1500, 2500, 1600, 2600]);
    expect(Array.from(section.traceAxis.values)).toEqual([0, 10]);
    expect(section.sampleAxis).toEqual({ name: 'depth', unit: 'm', start: 0, interval: 10 });
  });

  it('draws a shot by receiver, and the residual as recorded minus modelled', () => {
    expect(Array.from(shotSection(tinyBuild(), 0, 'input', 'Recorded shot').data)).toEqual([1, 3, 5, 2, 4, 6]);
    expect(Array.from(shotSection(tinyBuild(), 0, 'difference', 'Residual').data)).toEqual([0, 2, 4, 1, 3, 5]);
    expect(shotSection(tinyBuild(), 0, 'modelled', 'Modelled').sampleAxis.unit).toBe('ms');
  });

  it('spans one colour bar over several maps', () => {
    const build = tinyBuild();
    expect(valueRange(build.velocity, build.baseline)).toEqual({ low: 1400, high: 3000 });
  });
});
