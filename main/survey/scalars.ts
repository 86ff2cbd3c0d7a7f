/**
 * SEG-Y scalars and the vertical axis. Coordinates (bytes 73-88, 181-188) are scaled by bytes 71-72, elevations by
 * 69-70, times (delay at 109-110 and the other 105-114 fields, rev 1+) by 215-216: positive multiplies, negative
 * divides, zero means 1. Values that are not a power of ten are writer garbage (seen in real files) and count as 1.
 */
import type { TraceHeader } from '../segy/headerFields';
import type { SegyFile } from '../segy/reader';

const VALID_SCALARS = new Set([1, 10, 100, 1000, 10000, 100000, 1000000]);

export function isValidScalar(scalar: number): boolean {
  return scalar === 0 || VALID_SCALARS.has(Math.abs(scalar));
}

/** The factor a scalar stands for: 100 -> 100, -100 -> 0.01, 0 or garbage -> 1. */
export function scalarFactor(scalar: number): number {
  if (scalar === 0 || !isValidScalar(scalar)) return 1;
  return scalar > 0 ? scalar : 1 / -scalar;
}

/** value x scalar, dividing rather than multiplying by a reciprocal for negative scalars (exact for decimals). */
export function applyScalar(value: number, scalar: number): number {
  if (scalar === 0 || !isValidScalar(scalar)) return value;
  return scalar > 0 ? value * scalar : value / -scalar;
}

export type VerticalDomain = 'time' | 'depth';

export interface SampleAxis {
  readonly domain: VerticalDomain;
  /** 'ms' for time; 'm' or 'ft' for depth (from the binary header's measurement system). */
  readonly unit: 'ms' | 'm' | 'ft';
  /** First sample's time or depth (the trace delay with its scalar). */
  readonly start: number;
  readonly interval: number;
  readonly count: number;
  /** What the samples measure, from trace header bytes 203-204 (rev 1+), e.g. 'm/s'; absent when not declared. */
  readonly valueUnit?: string;
}

/**
 * The sample interval in seconds that the frequency-domain methods need (f-x, POCS, the strength check); depth data
 * has none, and gets 4 ms so that those methods still run, with their frequencies then meaning cycles per 4 samples.
 */
export function sampleIntervalSeconds(axis: { unit: string; interval: number }): number {
  return axis.unit === 'ms' ? axis.interval / 1000 : 0.004;
}

export interface SampleAxisOptions {
  /** Force time or depth instead of guessing from the textual header. */
  readonly domain?: VerticalDomain;
}

/**
 * The vertical axis of a file from its first trace header: start = delay recording time (bytes 109-110) times the
 * time scalar (215-216, only from rev 1 on: the bytes are unassigned before); interval from the file's layout,
 * microseconds shown as milliseconds (depth files store millimetres or thousandths of feet the same way).
 */
export function sampleAxisOf(
  file: SegyFile,
  firstTrace: TraceHeader | null,
  options: SampleAxisOptions = {},
): SampleAxis {
  const domain = options.domain ?? guessDomain(file.textHeader.text);
  const timeScalar = file.revision >= 1 ? (firstTrace?.timeScalar ?? 0) : 0;
  const start = applyScalar(firstTrace?.delayRecordingTime ?? 0, timeScalar);
  const unit = domain === 'time' ? 'ms' : file.binaryHeader.measurementSystem === 2 ? 'ft' : 'm';
  const valueUnit = file.revision >= 1 ? TRACE_VALUE_UNITS[firstTrace?.traceValueMeasurementUnit ?? 0] : undefined;
  const axis = { domain, unit, start, interval: file.sampleIntervalUs / 1000, count: file.samplesPerTrace } as const;
  return valueUnit ? { ...axis, valueUnit } : axis;
}

/** SEG-Y rev 1's trace value measurement units (trace header bytes 203-204); 0 (unknown) and -1 (other) say nothing. */
const TRACE_VALUE_UNITS: Record<number, string> = {
  1: 'Pa',
  2: 'V',
  3: 'mV',
  4: 'A',
  5: 'm',
  6: 'm/s',
  7: 'm/s²',
  8: 'N',
  9: 'W',
};

/**
 * Depth data says so in its textual header ("DEPTH", "TVDSS", a sample interval given in metres or feet) and does not
 * talk about time. The user can override the guess per survey (survey.setVerticalAxis).
 */
export function guessDomain(text: string): VerticalDomain {
  const upper = text.toUpperCase();
  const depth = /\bDEPTH\b|\bTVDSS\b|\bZ ?\(M\)|SAMPLE (INTERVAL|RATE)\W+[\d.]+ ?(M|METRES?|METERS?|FT|FEET)\b/.test(
    upper,
  );
  const time = /\bTIME\b|\bTWT\b|\bMS\b|\bMSEC\b/.test(upper);
  return depth && !time ? 'depth' : 'time';
}
