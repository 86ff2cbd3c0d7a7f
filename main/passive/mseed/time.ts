/**
 * Times of miniSEED data: integer nanoseconds since 1970-01-01 UTC as bigint. Record times reach 1e18 ns, beyond
 * 2^53, so a double (or milliseconds, where seisplotjs stops) would lose the microseconds that miniSEED 2 records
 * (blockette 1001) and the nanoseconds that miniSEED 3 records.
 */

const NS_PER_SECOND = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;

/** Nanoseconds of a calendar time given as year, day of year (1-366), hour, minute, second and nanoseconds. */
export function yearDayToNs(
  year: number,
  dayOfYear: number,
  hour: number,
  minute: number,
  second: number,
  nanosecond: number,
): bigint {
  // Date.UTC rolls day 366 of a common year and second 60 (a leap second) over, as libmseed does.
  const ms = Date.UTC(year, 0, dayOfYear, hour, minute, second);
  return BigInt(ms) * NS_PER_MS + BigInt(nanosecond);
}

/** The calendar fields of a time, in the form the miniSEED headers store it. */
export function nsToYearDay(ns: bigint): {
  year: number;
  dayOfYear: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
} {
  const seconds = floorDiv(ns, NS_PER_SECOND);
  const date = new Date(Number(seconds) * 1000);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  return {
    year: date.getUTCFullYear(),
    dayOfYear: Math.floor((date.getTime() - yearStart) / 86_400_000) + 1,
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    nanosecond: Number(ns - seconds * NS_PER_SECOND),
  };
}

/** ISO 8601 UTC with all nine fractional digits: `2010-02-27T06:50:00.069539000Z`. */
export function formatNs(ns: bigint): string {
  const seconds = floorDiv(ns, NS_PER_SECOND);
  const fraction = (ns - seconds * NS_PER_SECOND).toString().padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

/**
 * ns as ms in a double, for the views (0.4 us resolution this century): exact to the microsecond, where Number() of
 * the ns would first round to 256 ns.
 */
export function nsToMs(ns: bigint): number {
  return Number(ns / 1000n) / 1000;
}

/** ms (from the views) as ns, to the microsecond. */
export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1000)) * 1000n;
}

/**
 * Time of the sample `offset` samples after `startNs`, rounded to the nearest nanosecond the way libmseed's
 * ms_sampletime does, so that segment end times and record continuity agree with it to the nanosecond.
 */
export function sampleTimeNs(startNs: bigint, offset: number, sampleRate: number): bigint {
  if (offset <= 0 || sampleRate <= 0) return startNs;
  return startNs + BigInt(Math.trunc((offset / sampleRate) * 1e9 + 0.5));
}

/**
 * Whether a record or file starting `offByNs` away from where the previous one ends continues it: libmseed's default
 * time tolerance, half a sample period.
 */
export function withinHalfSample(offByNs: bigint, sampleRate: number): boolean {
  const halfPeriod = BigInt(Math.round(0.5e9 / sampleRate));
  return offByNs <= halfPeriod && offByNs >= -halfPeriod;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  return a % b < 0n ? quotient - 1n : quotient;
}
