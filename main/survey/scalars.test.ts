import { describe, expect, it } from 'vitest';
import { applyScalar, guessDomain, scalarFactor } from './scalars';

describe('SEG-Y scalars', () => {
  it('multiplies by positive and divides by negative scalars, 0 meaning 1', () => {
    expect(applyScalar(46709336, -100)).toBe(467093.36);
    expect(applyScalar(12, 10)).toBe(120);
    expect(applyScalar(10000, -10)).toBe(1000);
    expect(applyScalar(7, 0)).toBe(7);
    expect(scalarFactor(-1000)).toBe(0.001);
  });

  it('ignores scalars that are not powers of ten (writer garbage seen in real files)', () => {
    expect(applyScalar(101, 82)).toBe(101);
    expect(scalarFactor(-7)).toBe(1);
  });

  it('guesses depth only when the textual header speaks of depth and not of time', () => {
    expect(guessDomain('C 5 DEPTH MIGRATED VOLUME, Z (M)')).toBe('depth');
    expect(guessDomain('C 5 TIME MIGRATION, SAMPLE 4 MS, WATER DEPTH 100 M')).toBe('time');
    expect(guessDomain('')).toBe('time');
    expect(guessDomain('C 4 INTERVAL VELOCITY CUBE, SAMPLE INTERVAL 20 M')).toBe('depth');
    expect(guessDomain('C 4 SAMPLE RATE: 12.5 FT')).toBe('depth');
    expect(guessDomain('C 4 SAMPLE INTERVAL 4 MS')).toBe('time');
  });
});
