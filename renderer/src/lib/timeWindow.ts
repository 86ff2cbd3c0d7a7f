/**
 * The time window of the recording view (ms since 1970, UTC): zoom about a point, pan, clamped to the recording,
 * and the ticks and labels of its UTC time axis.
 */

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

/** The narrowest window the view zooms to: one second (100 samples at 100 Hz). */
export const MIN_SPAN_MS = 1000;

/**
 * `window` scaled by `factor` (< 1 zooms in) about the time at `anchor` (0 = its start, 1 = its end), kept inside
 * `bounds` and between MIN_SPAN_MS and `maxSpanMs`.
 */
export function zoomWindow(
  window: TimeWindow,
  factor: number,
  anchor: number,
  bounds: TimeWindow,
  maxSpanMs: number,
): TimeWindow {
  const span = window.endMs - window.startMs;
  const limit = Math.min(maxSpanMs, bounds.endMs - bounds.startMs);
  const next = Math.min(Math.max(span * factor, MIN_SPAN_MS), Math.max(limit, MIN_SPAN_MS));
  const at = window.startMs + anchor * span;
  return clampWindow({ startMs: at - anchor * next, endMs: at + (1 - anchor) * next }, bounds);
}

/** `window` moved by `deltaMs`, kept inside `bounds`. */
export function panWindow(window: TimeWindow, deltaMs: number, bounds: TimeWindow): TimeWindow {
  return clampWindow({ startMs: window.startMs + deltaMs, endMs: window.endMs + deltaMs }, bounds);
}

/** Slides a window back inside `bounds` (its span kept, unless it is wider than they are). */
function clampWindow(window: TimeWindow, bounds: TimeWindow): TimeWindow {
  const span = window.endMs - window.startMs;
  if (span >= bounds.endMs - bounds.startMs) return { startMs: bounds.startMs, endMs: bounds.startMs + span };
  if (window.startMs < bounds.startMs) return { startMs: bounds.startMs, endMs: bounds.startMs + span };
  if (window.endMs > bounds.endMs) return { startMs: bounds.endMs - span, endMs: bounds.endMs };
  return window;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Tick intervals a reader counts in: 1-2-5 below a second, then whole seconds, minutes and hours of the clock. */
const TICK_STEPS_MS = [
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
];

export interface TimeTick {
  ms: number;
  label: string;
}

/** Ticks on round UTC times, at most `maxTicks` of them, labelled to the precision their spacing needs. */
export function timeTicks(window: TimeWindow, maxTicks: number): TimeTick[] {
  const span = window.endMs - window.startMs;
  const step = TICK_STEPS_MS.find((candidate) => span / candidate <= maxTicks) ?? DAY;
  const ticks: TimeTick[] = [];
  for (let ms = Math.ceil(window.startMs / step) * step; ms <= window.endMs; ms += step) {
    ticks.push({ ms, label: tickLabel(ms, step) });
  }
  return ticks;
}

function tickLabel(ms: number, step: number): string {
  const iso = new Date(ms).toISOString(); // 2010-02-27T06:50:00.069Z
  if (step >= DAY) return iso.slice(0, 10);
  const clock = step >= MINUTE ? iso.slice(11, 16) : step >= SECOND ? iso.slice(11, 19) : iso.slice(11, 23);
  // Midnight ticks carry the date, so that a window over two days says which is which.
  return iso.slice(11, 23) === '00:00:00.000' ? `${iso.slice(5, 10)} ${clock}` : clock;
}

/** `2010-02-27 06:50:00.069 UTC` */
export function formatUtc(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC`;
}

/** A span as a reader says it: "1 d 6 h", "12 min 30 s", "4.5 s", "250 ms". */
export function formatSpan(ms: number): string {
  if (ms < SECOND) return `${Math.round(ms)} ms`;
  if (ms < MINUTE) return `${Number((ms / SECOND).toFixed(1))} s`;
  const parts: [number, string][] = [
    [Math.floor(ms / DAY), 'd'],
    [Math.floor((ms % DAY) / HOUR), 'h'],
    [Math.floor((ms % HOUR) / MINUTE), 'min'],
    [Math.round((ms % MINUTE) / SECOND), 's'],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  return parts
    .slice(first, first + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value} ${unit}`)
    .join(' ');
}
