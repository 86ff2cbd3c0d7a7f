import { describe, expect, it } from 'vitest';
import { gapTraceMask } from '../signal/corruption';
import { estimateLocalSlopes } from './localSlopes';
import { linearEventsSection } from './testSections';
import { ProcessingInputError } from './validation';

const shape = { traces: 64, samples: 300 };
// Two events far apart in time: one dipping 2 samples per trace, one dipping back 1 sample per trace.
const events = [
  { firstSample: 40, dip: 2, amplitude: 1 },
  { firstSample: 280, dip: -1, amplitude: 0.6 },
];
const section = linearEventsSection(shape, events);

/** Slope of the step after trace k at the sample where the event crosses that trace. */
const slopeOnEvent = (slopes: Float32Array, k: number, event: (typeof events)[number]) =>
  slopes[k * shape.samples + event.firstSample + event.dip * k]!;

describe('estimateLocalSlopes', () => {
  it('measures the dip of each event between adjacent live traces', () => {
    const field = estimateLocalSlopes(section, shape, new Uint8Array(shape.traces).fill(1));
    expect(field.steps).toBe(shape.traces - 1);
    for (const k of [5, 30, 60]) {
      expect(slopeOnEvent(field.slopes, k, events[0]!)).toBeCloseTo(2, 1);
      expect(slopeOnEvent(field.slopes, k, events[1]!)).toBeCloseTo(-1, 1);
    }
  });

  it('carries the slopes measured beside a wide gap across it', () => {
    const live = gapTraceMask(shape.traces, 2, 8, 5);
    const field = estimateLocalSlopes(section, shape, live);
    const gapMiddle = live.findIndex((l, t) => !l && t > 0 && !live[t - 1]) + 3;
    expect(live[gapMiddle]).toBe(0);
    expect(slopeOnEvent(field.slopes, gapMiddle, events[0]!)).toBeCloseTo(2, 1);
  });

  it('gives zero slopes where the section holds nothing', () => {
    const field = estimateLocalSlopes(new Float32Array(section.length), shape, new Uint8Array(shape.traces).fill(1));
    expect(field.slopes.every((p) => p === 0)).toBe(true);
  });

  it('rejects bad options with a message naming them', () => {
    const live = new Uint8Array(shape.traces).fill(1);
    expect(() => estimateLocalSlopes(section, shape, live, { maxSlope: 0 })).toThrow(ProcessingInputError);
    expect(() => estimateLocalSlopes(section, shape, live, { timeRadius: 2.5 })).toThrow(/timeRadius/);
    expect(() => estimateLocalSlopes(section, shape, live.subarray(1))).toThrow(/trace mask/);
  });
});
