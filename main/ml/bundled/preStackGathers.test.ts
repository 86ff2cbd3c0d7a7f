import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../signal/random';
import { preStackGathers, randomOffsets } from './preStackGathers';

const SPEC = { earthModels: 2, gathersPerModel: 3, channels: 96, samples: 500, sampleIntervalMs: 4 };

/** Least-squares slope and correlation coefficient of y against x. */
function lineFit(x: number[], y: number[]): { slope: number; r: number } {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return { slope: sxy / sxx, r: sxy / Math.sqrt(sxx * syy) };
}

describe('pre-stack training gathers', () => {
  it('lays out end-on spreads of either sign and split spreads', () => {
    const random = seededRandom(3);
    const layouts = Array.from({ length: 40 }, () => randomOffsets(24, random));
    expect(layouts.some((o) => o.every((x) => x >= 0))).toBe(true);
    expect(layouts.some((o) => o.every((x) => x <= 0))).toBe(true);
    expect(layouts.some((o) => o[0]! < 0 && o.at(-1)! > 0)).toBe(true);
    for (const offsets of layouts) {
      const steps = offsets.slice(1).map((x, k) => Math.abs(x - offsets[k]!));
      expect(new Set(steps).size).toBe(1);
      expect([12.5, 25, 50]).toContain(steps[0]);
    }
  });

  it('starts every gather with a first break that moves out linearly with offset (direct wave, refractions)', async () => {
    const source = preStackGathers(SPEC, 11);
    const extent = { traces: SPEC.channels, samples: SPEC.samples };
    for (const { line } of source.lines) {
      const gather = await source.readPatch({ line, traceStart: 0, sampleStart: 0 }, extent);
      const peak = gather.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const breaks: number[] = [];
      const traces: number[] = [];
      for (let t = 0; t < SPEC.channels; t++) {
        const trace = gather.subarray(t * SPEC.samples, (t + 1) * SPEC.samples);
        const first = trace.findIndex((v) => Math.abs(v) > 0.05 * peak);
        if (first >= 0) {
          breaks.push(first * SPEC.sampleIntervalMs);
          traces.push(t);
        }
      }
      // Far traces of long spreads may see their first arrival after the end of the record.
      expect(breaks.length).toBeGreaterThan(SPEC.channels / 4);
      // Time grows with |offset|: along an end-on spread that is monotone in trace order, in either direction.
      const { r } = lineFit(traces, breaks);
      expect(Math.abs(r)).toBeGreaterThan(0.5);
    }
  });

  it('is reproducible from its seed and differs between seeds', async () => {
    const patch = { traces: 64, samples: 64 };
    const entry = { line: 4, traceStart: 16, sampleStart: 100 };
    const a = await preStackGathers(SPEC, 5).readPatch(entry, patch);
    const b = await preStackGathers(SPEC, 5).readPatch(entry, patch);
    const c = await preStackGathers(SPEC, 6).readPatch(entry, patch);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });
});
