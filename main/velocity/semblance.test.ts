import { describe, expect, it } from 'vitest';
import { rickerAt } from '../signal/ricker';
import { semblancePanel, type CmpGather } from './semblance';
import { eventPicks, pickVelocities } from './velocityPicking';

const DT = 0.001;
const SAMPLES = 800;
const VELOCITIES = Float32Array.from({ length: 41 }, (_, i) => 1500 + 50 * i);

/** A CMP gather of hyperbolic reflections (t0 s, stacking velocity m/s) with a 25 Hz Ricker wavelet. */
function gather(events: ReadonlyArray<readonly [number, number]>): CmpGather {
  const offsetsM = Float32Array.from({ length: 40 }, (_, i) => 20 * i);
  const traces = new Float32Array(offsetsM.length * SAMPLES);
  offsetsM.forEach((offset, i) => {
    for (const [t0, v] of events) {
      const t = Math.sqrt(t0 * t0 + (offset / v) ** 2);
      for (let n = 0; n < SAMPLES; n++) traces[i * SAMPLES + n]! += rickerAt((n * DT - t) * 1e3, 25);
    }
  });
  return { traces, offsetsM, samples: SAMPLES, sampleIntervalS: DT, firstSampleS: 0 };
}

const OPTIONS = { velocities: VELOCITIES, windowS: 0.02, stretchMute: 0.5, noiseFloor: 1e-3 };

describe('semblance velocity analysis', () => {
  it('finds the stacking velocity of an event (semblance near 1) and its time (the stack energy peaks there)', () => {
    const panel = semblancePanel(gather([[0.4, 2200]]), OPTIONS);
    const row = Array.from(VELOCITIES, (_, v) => panel.values[400 * VELOCITIES.length + v]!);
    const bestVelocity = row.indexOf(Math.max(...row));
    expect(VELOCITIES[bestVelocity]).toBe(2200);
    expect(row[bestVelocity]).toBeGreaterThan(0.9);
    let loudest = 0;
    for (let i = 1; i < panel.stackEnergy.length; i++)
      if (panel.stackEnergy[i]! > panel.stackEnergy[loudest]!) loudest = i;
    expect(Math.abs(Math.floor(loudest / VELOCITIES.length) * DT - 0.4)).toBeLessThanOrEqual(0.004);
    expect(VELOCITIES[loudest % VELOCITIES.length]).toBe(2200);
  });

  it('picks each event of a gather at its velocity, the path held constant in between', () => {
    const events = [
      [0.25, 1900],
      [0.45, 2300],
      [0.6, 2700],
    ] as const;
    const panel = semblancePanel(gather(events), OPTIONS);
    const path = pickVelocities(panel, { startIndex: 4, increasePenalty: 0.02, decreasePenalty: 0.2, maxStep: 2 });
    const picks = eventPicks(panel, path, {
      minSeparationS: 0.04,
      minRelativeSemblance: 0.2,
      earliestS: 0.05,
    });
    expect(picks).toHaveLength(3);
    picks.forEach((pick, i) => {
      expect(Math.abs(pick.timeS - events[i]![0])).toBeLessThanOrEqual(0.006);
      expect(Math.abs(pick.velocity - events[i]![1])).toBeLessThanOrEqual(50);
    });
  });
});
