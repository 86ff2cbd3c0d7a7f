import { describe, expect, it } from 'vitest';
import { EtaEstimator } from './eta';

/** Reports every `stepMs` advancing by `perStep`, from `from` at `startMs`; the last answer. */
function feed(eta: EtaEstimator, count: number, stepMs: number, perStep: number, from = 0, startMs = 0): number | null {
  let answer: number | null = null;
  for (let k = 1; k <= count; k++) answer = eta.observe(from + k * perStep, startMs + k * stepMs);
  return answer;
}

describe('EtaEstimator', () => {
  it('says nothing after the first tick, however far it goes', () => {
    expect(new EtaEstimator().observe(0.2, 1000)).toBeNull();
  });

  it('says nothing until reports span two seconds', () => {
    expect(feed(new EtaEstimator(), 6, 100, 0.01)).toBeNull();
  });

  it('gives the remaining time of a steady job from its own rate, not counting the start-up before it', () => {
    const eta = new EtaEstimator();
    // First report at 10 s (the compute process and the model took that long), then 1 % a second.
    expect(feed(eta, 10, 1000, 0.01, 0.1, 10_000)).toBeCloseTo(80, 6);
  });

  it('says nothing while the pace changes, and estimates again once the new pace has settled', () => {
    const eta = new EtaEstimator();
    feed(eta, 10, 500, 0.04); // 8 % a second up to 40 %
    expect(eta.observe(0.41, 6000)).toBeNull(); // then 1 % a second
    expect(eta.observe(0.42, 7000)).toBeNull();
    const settled = feed(eta, 30, 1000, 0.01, 0.42, 7000);
    expect(settled).not.toBeNull();
    expect(settled!).toBeGreaterThan(20);
    expect(settled!).toBeLessThan(35); // 28 s at 1 % a second
  });

  it('ignores repeated reports and answers 0 when done', () => {
    const eta = new EtaEstimator();
    for (let k = 0; k < 10; k++) expect(eta.observe(0.5, k * 1000)).toBeNull();
    expect(eta.observe(1, 11_000)).toBe(0);
  });
});
