import { describe, expect, it } from 'vitest';
import { gapTraceMask, randomTraceMask, regularTraceMask, type TraceMask } from '../signal/corruption';
import { signalToNoiseDb } from '../signal/metrics';
import { interpolateTracesLinear } from '../signal/traceInterpolation';
import { interpolateAlongSlopes, slopeInterpolate } from './slopeInterpolation';
import { linearEventsSection, selectTraces } from './testSections';

const shape = { traces: 96, samples: 480 };
// Dipping events of a 20-sample period that never cross: 8 traces at 2 samples per trace move an event most of a
// period, so linear interpolation across such a gap mixes two copies out of phase (spatial aliasing).
const clean = linearEventsSection(shape, [
  { firstSample: 100, dip: -1, amplitude: 0.8 },
  { firstSample: 130, dip: 2, amplitude: 1 },
  { firstSample: 360, dip: 1, amplitude: -0.7 },
]);

/** SNR (dB) of a method's result on the missing traces only. */
function missingSnr(interpolate: (input: Float32Array, live: TraceMask) => Float32Array, live: TraceMask): number {
  const input = clean.map((v, i) => (live[Math.floor(i / shape.samples)] ? v : 99));
  const missing = (section: Float32Array) => selectTraces(section, shape, (t) => !live[t]);
  return signalToNoiseDb(missing(clean), missing(interpolate(input, live)));
}

const masks: Record<string, TraceMask> = {
  '8-trace gaps': gapTraceMask(shape.traces, 4, 8, 3),
  'every other trace missing': regularTraceMask(shape.traces, 2),
  '50 % random missing': randomTraceMask(shape.traces, 0.5, 7),
};

describe('slopeInterpolate', () => {
  for (const [name, live] of Object.entries(masks)) {
    it(`recovers dipping events far better than linear interpolation (${name})`, () => {
      const slope = missingSnr((input, mask) => slopeInterpolate(input, shape, mask), live);
      const linear = missingSnr((input, mask) => interpolateTracesLinear(input, shape, mask), live);
      expect(slope).toBeGreaterThan(15);
      expect(slope).toBeGreaterThan(linear + 10);
    });
  }

  it('keeps the live traces as recorded and ignores what the missing ones held', () => {
    const live = masks['8-trace gaps']!;
    const garbage = clean.map((v, i) => (live[Math.floor(i / shape.samples)] ? v : 1e6));
    const result = slopeInterpolate(garbage, shape, live);
    for (let t = 0; t < shape.traces; t++) {
      if (live[t])
        expect(result.subarray(t * shape.samples, (t + 1) * shape.samples)).toEqual(
          clean.subarray(t * shape.samples, (t + 1) * shape.samples),
        );
    }
    expect(result.every((v) => Math.abs(v) < 10)).toBe(true);
  });

  it('is linear interpolation where the slopes are zero', () => {
    const live = masks['50 % random missing']!;
    const recorded = clean.map((v, i) => (live[Math.floor(i / shape.samples)] ? v : 0));
    const flat = {
      steps: shape.traces - 1,
      samples: shape.samples,
      slopes: new Float32Array((shape.traces - 1) * shape.samples),
    };
    const steered = interpolateAlongSlopes(recorded, shape, live, flat);
    const linear = interpolateTracesLinear(recorded, shape, live);
    steered.forEach((v, i) => expect(v).toBeCloseTo(linear[i]!, 5));
  });

  it('fills nothing without live traces and rejects a section that does not match its shape', () => {
    expect(slopeInterpolate(clean, shape, new Uint8Array(shape.traces)).every((v) => v === 0)).toBe(true);
    expect(() => slopeInterpolate(clean.subarray(1), shape, masks['8-trace gaps']!)).toThrow(/does not match/);
  });
});
