import { describe, expect, it } from 'vitest';
import { gapTraceMask, randomTraceMask, regularTraceMask } from '../../signal/corruption';
import { hiddenTraceCorruption } from './maskStatistics';

const TRACES = 120;

describe('hidden-trace corruption from the data', () => {
  it('hides scattered traces, half to all of the missing fraction again, where traces are missing at random', () => {
    const lives = [1, 2, 3].map((seed) => randomTraceMask(TRACES, 0.5, seed));
    expect(hiddenTraceCorruption(lives)).toEqual({ maskKinds: ['random'], missingFractionRange: [0.25, 0.5] });
  });

  it('decimates at the data’s own spacing where every k-th trace is missing', () => {
    const dropEveryFourth = regularTraceMask(TRACES, 4, 3).map((kept) => 1 - kept);
    expect(hiddenTraceCorruption([dropEveryFourth])).toEqual({
      maskKinds: ['decimation'],
      missingFractionRange: [0.25, 0.25],
    });
  });

  it('keeps every k-th trace where only every k-th is live, and hides gaps where runs are wide', () => {
    expect(hiddenTraceCorruption([regularTraceMask(TRACES, 3, 1)])?.maskKinds).toEqual(['regular']);
    const gaps = hiddenTraceCorruption([gapTraceMask(TRACES, 3, 8, 5), gapTraceMask(TRACES, 3, 8, 6)]);
    expect(gaps).toEqual({ maskKinds: ['gaps'], missingFractionRange: [0.1, 0.2] });
  });

  it('hides no more than the bundled interpolator learnt to fill, and nothing where no trace is missing', () => {
    expect(hiddenTraceCorruption([randomTraceMask(TRACES, 0.8, 1)])?.missingFractionRange).toEqual([0.3, 0.6]);
    expect(hiddenTraceCorruption([new Uint8Array(TRACES).fill(1)])).toBeNull();
  });
});
