/**
 * The small text specs of the synthetic generator (command line, API): noise models, missing-trace masks, wavelets.
 *
 *   noise:   none | MODEL[+MODEL...] with MODEL one of gaussian[:SNR_DB], bandlimited[:SNR_DB[:LOW-HIGH]] (Hz),
 *            swell[:SNR_DB], spikes[:SNR_DB], groundroll[:SNR_DB] (gathers only), footprint[:STRENGTH]
 *   missing: none | random:FRACTION | regular:K (keep every K-th trace) | gaps:WIDTH[xCOUNT]
 *   wavelet: ricker:PEAK_HZ | ormsby:F1-F2-F3-F4
 * Bad specs throw SynthSpecError, an 'invalid-argument' error whose message says what was expected.
 */
import type { WaveletSpec } from './wavelets';

export class SynthSpecError extends Error {
  readonly apiCode = 'invalid-argument';
  override readonly name = 'SynthSpecError';
}

export type NoiseComponent =
  | { readonly kind: 'gaussian' | 'swell' | 'spikes' | 'groundroll'; readonly snrDb: number }
  | { readonly kind: 'bandlimited'; readonly snrDb: number; readonly lowHz: number; readonly highHz: number }
  | { readonly kind: 'footprint'; readonly strength: number };

export type MissingSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'random'; readonly fraction: number }
  | { readonly kind: 'regular'; readonly keepEvery: number }
  | { readonly kind: 'gaps'; readonly width: number; readonly count: number };

const NOISE_GRAMMAR =
  "none, or models joined by '+': gaussian[:SNR_DB], bandlimited[:SNR_DB[:LOW-HIGH]], swell[:SNR_DB], " +
  'spikes[:SNR_DB], groundroll[:SNR_DB], footprint[:STRENGTH] (e.g. gaussian:20+footprint:0.2)';
const MISSING_GRAMMAR = 'none, random:FRACTION (0..1), regular:K (keep every K-th trace), gaps:WIDTH[xCOUNT]';
const WAVELET_GRAMMAR = 'ricker:PEAK_HZ or ormsby:F1-F2-F3-F4 (Hz)';

/** Default SNRs: ground roll and swell are strong on real data, white noise is usually weaker. */
const DEFAULT_SNR_DB = { gaussian: 20, bandlimited: 15, swell: 6, spikes: 10, groundroll: 0 } as const;
const DEFAULT_BAND_HZ = { lowHz: 10, highHz: 60 } as const;
const DEFAULT_FOOTPRINT = 0.2;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function number(text: string, what: string, spec: string, grammar: string): number {
  if (!NUMBER.test(text)) throw new SynthSpecError(`${what} '${spec}': '${text}' is not a number; expected ${grammar}`);
  return Number(text);
}

function parseNoiseComponent(part: string, whole: string): NoiseComponent {
  const [name = '', ...args] = part.split(':');
  const value = (index: number, fallback: number): number =>
    args[index] === undefined ? fallback : number(args[index], 'noise', whole, NOISE_GRAMMAR);
  const tooMany = (allowed: number): void => {
    if (args.length > allowed)
      throw new SynthSpecError(`noise '${whole}': too many ':' in '${part}'; expected ${NOISE_GRAMMAR}`);
  };
  switch (name) {
    case 'gaussian':
    case 'swell':
    case 'spikes':
    case 'groundroll':
      tooMany(1);
      return { kind: name, snrDb: value(0, DEFAULT_SNR_DB[name]) };
    case 'bandlimited':
      tooMany(2);
      return { kind: 'bandlimited', snrDb: value(0, DEFAULT_SNR_DB.bandlimited), ...parseBand(args[1], whole) };
    case 'footprint': {
      tooMany(1);
      const strength = value(0, DEFAULT_FOOTPRINT);
      if (!(strength > 0 && strength < 1))
        throw new SynthSpecError(`noise '${whole}': footprint strength must be in (0, 1)`);
      return { kind: 'footprint', strength };
    }
    default:
      throw new SynthSpecError(`noise '${whole}': unknown model '${name}'; expected ${NOISE_GRAMMAR}`);
  }
}

function parseBand(text: string | undefined, whole: string): { lowHz: number; highHz: number } {
  if (text === undefined) return DEFAULT_BAND_HZ;
  const [low = '', high = '', ...rest] = text.split('-');
  const band = {
    lowHz: number(low, 'noise', whole, NOISE_GRAMMAR),
    highHz: number(high, 'noise', whole, NOISE_GRAMMAR),
  };
  if (rest.length > 0 || !(band.lowHz >= 0 && band.lowHz < band.highHz)) {
    throw new SynthSpecError(`noise '${whole}': the band '${text}' must be LOW-HIGH in Hz with 0 <= LOW < HIGH`);
  }
  return band;
}

export function parseNoiseSpec(text: string): NoiseComponent[] {
  const spec = text.trim().toLowerCase();
  if (spec === '' || spec === 'none') return [];
  return spec.split('+').map((part) => parseNoiseComponent(part.trim(), text));
}

export function parseMissingSpec(text: string): MissingSpec {
  const spec = text.trim().toLowerCase();
  if (spec === '' || spec === 'none') return { kind: 'none' };
  const [name = '', arg, ...rest] = spec.split(':');
  if (arg === undefined || rest.length > 0) {
    throw new SynthSpecError(`missing traces '${text}': expected ${MISSING_GRAMMAR}`);
  }
  const value = (part: string): number => number(part, 'missing traces', text, MISSING_GRAMMAR);
  switch (name) {
    case 'random': {
      const fraction = value(arg);
      if (!(fraction >= 0 && fraction < 1))
        throw new SynthSpecError(`missing traces '${text}': the fraction must be in [0, 1)`);
      return { kind: 'random', fraction };
    }
    case 'regular': {
      const keepEvery = value(arg);
      if (!(Number.isInteger(keepEvery) && keepEvery >= 2)) {
        throw new SynthSpecError(`missing traces '${text}': keep every K-th trace needs a whole K >= 2`);
      }
      return { kind: 'regular', keepEvery };
    }
    case 'gaps': {
      const [width = '', count = '1', ...extra] = arg.split('x');
      const gaps = { kind: 'gaps' as const, width: value(width), count: value(count) };
      if (
        extra.length > 0 ||
        !(Number.isInteger(gaps.width) && gaps.width >= 1 && Number.isInteger(gaps.count) && gaps.count >= 1)
      ) {
        throw new SynthSpecError(
          `missing traces '${text}': gaps need a whole WIDTH >= 1 and COUNT >= 1 (gaps:8 or gaps:8x3)`,
        );
      }
      return gaps;
    }
    default:
      throw new SynthSpecError(`missing traces '${text}': unknown mask '${name}'; expected ${MISSING_GRAMMAR}`);
  }
}

export function parseWaveletSpec(text: string, phaseDeg = 0): WaveletSpec {
  const [name = '', arg = '', ...rest] = text.trim().toLowerCase().split(':');
  const value = (part: string): number => number(part, 'wavelet', text, WAVELET_GRAMMAR);
  if (rest.length === 0 && name === 'ricker') {
    const peakHz = value(arg);
    if (!(peakHz > 0)) throw new SynthSpecError(`wavelet '${text}': the peak frequency must be > 0 Hz`);
    return { kind: 'ricker', peakHz, phaseDeg };
  }
  if (rest.length === 0 && name === 'ormsby') {
    const corners = arg.split('-').map(value);
    const [f1 = NaN, f2 = NaN, f3 = NaN, f4 = NaN] = corners;
    if (corners.length !== 4 || !(f1 >= 0 && f1 < f2 && f2 <= f3 && f3 < f4)) {
      throw new SynthSpecError(`wavelet '${text}': Ormsby corners must be four frequencies 0 <= F1 < F2 <= F3 < F4`);
    }
    return { kind: 'ormsby', cornersHz: [f1, f2, f3, f4], phaseDeg };
  }
  throw new SynthSpecError(`wavelet '${text}': expected ${WAVELET_GRAMMAR}`);
}

export function describeNoise(components: readonly NoiseComponent[]): string {
  if (components.length === 0) return 'NONE';
  return components
    .map((c) => {
      if (c.kind === 'footprint') return `FOOTPRINT ${c.strength}`;
      const band = c.kind === 'bandlimited' ? ` ${c.lowHz}-${c.highHz} HZ` : '';
      return `${c.kind.toUpperCase()}${band} SNR ${c.snrDb} DB`;
    })
    .join(' + ');
}

export function describeMissing(spec: MissingSpec): string {
  switch (spec.kind) {
    case 'none':
      return 'NONE';
    case 'random':
      return `RANDOM ${spec.fraction} OF TRACES`;
    case 'regular':
      return `REGULAR, 1 TRACE IN ${spec.keepEvery} KEPT`;
    case 'gaps':
      return `${spec.count} GAP(S) OF ${spec.width} TRACES`;
  }
}
