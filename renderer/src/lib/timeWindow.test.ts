import { describe, expect, it } from 'vitest';
import { formatSpan, formatUtc, MIN_SPAN_MS, panWindow, timeTicks, zoomWindow } from './timeWindow';

const T = Date.UTC(2010, 1, 27, 6, 50, 0, 69); // the Maule record's first sample, to the ms
const bounds = { startMs: T, endMs: T + 4_200_000 };
const DAY = 86_400_000;

describe('recording view time window', () => {
  it('zooms about the anchor, never below one second or outside the recording', () => {
    expect(zoomWindow(bounds, 0.5, 0.5, bounds, DAY)).toEqual({ startMs: T + 1_050_000, endMs: T + 3_150_000 });
    expect(zoomWindow(bounds, 0.5, 0, bounds, DAY)).toEqual({ startMs: T, endMs: T + 2_100_000 });
    const tiny = zoomWindow({ startMs: T + 1000, endMs: T + 2000 }, 0.01, 0.5, bounds, DAY);
    expect(tiny.endMs - tiny.startMs).toBe(MIN_SPAN_MS);
    expect(zoomWindow({ startMs: T + 1000, endMs: T + 2000 }, 1e6, 0.5, bounds, DAY)).toEqual(bounds);
    expect(zoomWindow(bounds, 2, 0.5, { startMs: T, endMs: T + 10 * DAY }, DAY).endMs - T).toBe(8_400_000);
  });

  it('pans within the recording', () => {
    const window = { startMs: T + 1000, endMs: T + 61_000 };
    expect(panWindow(window, 5000, bounds)).toEqual({ startMs: T + 6000, endMs: T + 66_000 });
    expect(panWindow(window, -5000, bounds)).toEqual({ startMs: T, endMs: T + 60_000 });
    expect(panWindow(window, 10 * DAY, bounds)).toEqual({ startMs: bounds.endMs - 60_000, endMs: bounds.endMs });
  });

  it('puts ticks on round UTC times labelled to their spacing, dates at midnight', () => {
    expect(timeTicks(bounds, 8).map((t) => t.label)).toEqual([
      '07:00',
      '07:10',
      '07:20',
      '07:30',
      '07:40',
      '07:50',
      '08:00',
    ]);
    const seconds = timeTicks({ startMs: T, endMs: T + 3000 }, 8);
    expect(seconds.map((t) => t.label)).toEqual([
      '06:50:00.500',
      '06:50:01.000',
      '06:50:01.500',
      '06:50:02.000',
      '06:50:02.500',
      '06:50:03.000',
    ]);
    const overMidnight = timeTicks({ startMs: Date.UTC(2010, 1, 27, 20), endMs: Date.UTC(2010, 1, 28, 4) }, 6);
    expect(overMidnight.map((t) => t.label)).toEqual(['20:00', '22:00', '02-28 00:00', '02:00', '04:00']);
  });

  it('formats times and spans for a reader', () => {
    expect(formatUtc(T)).toBe('2010-02-27 06:50:00.069 UTC');
    expect([formatSpan(250), formatSpan(4500), formatSpan(750_000), formatSpan(DAY + 6 * 3_600_000)]).toEqual([
      '250 ms',
      '4.5 s',
      '12 min 30 s',
      '1 d 6 h',
    ]);
  });
});
