import { describe, expect, it } from 'vitest';
import { SIGNAL_LEAKAGE_WARNING } from '../../preload/contract';
import { qcWarnings } from './reconstructSection';

describe('qcWarnings', () => {
  it('warns in words when the signal leakage is above the threshold, and only then', () => {
    const [warning, ...more] = qcWarnings({ signalLeakage: 0.33 });
    expect(warning).toMatch(/^Signal leakage 0\.33 is above 0\.3: .*part of the signal was removed/);
    expect(more).toEqual([]);
    expect(qcWarnings({ signalLeakage: SIGNAL_LEAKAGE_WARNING })).toEqual([]);
    expect(qcWarnings({ signalLeakage: null })).toEqual([]);
  });
});
