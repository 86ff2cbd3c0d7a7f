import { describe, expect, it } from 'vitest';
import { SynthSpecError, parseMissingSpec, parseNoiseSpec, parseWaveletSpec } from './specs';

describe('synthetic specs', () => {
  it('parses noise models with their defaults, joined by +', () => {
    expect(parseNoiseSpec('none')).toEqual([]);
    expect(parseNoiseSpec('gaussian:12+bandlimited:8:5-30+footprint')).toEqual([
      { kind: 'gaussian', snrDb: 12 },
      { kind: 'bandlimited', snrDb: 8, lowHz: 5, highHz: 30 },
      { kind: 'footprint', strength: 0.2 },
    ]);
    expect(parseNoiseSpec('swell+spikes:-3+groundroll')).toEqual([
      { kind: 'swell', snrDb: 6 },
      { kind: 'spikes', snrDb: -3 },
      { kind: 'groundroll', snrDb: 0 },
    ]);
  });

  it('parses missing-trace masks and wavelets', () => {
    expect(parseMissingSpec('random:0.5')).toEqual({ kind: 'random', fraction: 0.5 });
    expect(parseMissingSpec('regular:4')).toEqual({ kind: 'regular', keepEvery: 4 });
    expect(parseMissingSpec('gaps:8')).toEqual({ kind: 'gaps', width: 8, count: 1 });
    expect(parseMissingSpec('gaps:8x3')).toEqual({ kind: 'gaps', width: 8, count: 3 });
    expect(parseWaveletSpec('ormsby:5-10-40-60', 30)).toEqual({
      kind: 'ormsby',
      cornersHz: [5, 10, 40, 60],
      phaseDeg: 30,
    });
  });

  it('explains what was expected', () => {
    const message = (parse: () => unknown) => {
      try {
        parse();
      } catch (error) {
        expect(error).toBeInstanceOf(SynthSpecError);
        expect((error as SynthSpecError).apiCode).toBe('invalid-argument');
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(message(() => parseNoiseSpec('bandlimited:10:60-10'))).toMatch(/0 <= LOW < HIGH/);
    expect(message(() => parseNoiseSpec('footprint:2'))).toMatch(/strength must be in \(0, 1\)/);
    expect(message(() => parseMissingSpec('regular:1'))).toMatch(/whole K >= 2/);
    expect(message(() => parseMissingSpec('random'))).toMatch(/expected none, random:FRACTION/);
    expect(message(() => parseWaveletSpec('ormsby:5-10-40'))).toMatch(/four frequencies/);
    expect(message(() => parseWaveletSpec('gabor:20'))).toMatch(/ricker:PEAK_HZ or ormsby/);
  });
});
