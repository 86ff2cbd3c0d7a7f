/** A survey's display settings: what it opens with, and the colour bar's numbers. */
import type { DisplaySettings } from '../../../preload/contract';
import type { DisplayRange } from './sectionMath';

/**
 * The display a survey opens with before the user changed anything: zero-mean amplitudes in red-white-blue, clipped
 * symmetrically, with wiggles when zoomed in; anything else (velocities, impedances) in viridis from its minimum to its
 * maximum, without wiggles (a wiggle of a velocity is a solid block).
 */
export function defaultDisplay(zeroMean: boolean): DisplaySettings {
  return zeroMean
    ? { colormap: 'seismic', clipMode: 'symmetric', clipPercentile: 99, gain: 1, agcWindow: 0, wiggles: true }
    : { colormap: 'viridis', clipMode: 'minmax', clipPercentile: 99, gain: 1, agcWindow: 0, wiggles: false };
}

/** The values at the colour bar's left end, middle and right end. */
export function colourBarValues(range: DisplayRange, gain: number): [number, number, number] {
  const half = range.half / gain;
  return [range.centre - half, range.centre, range.centre + half];
}
