/**
 * Overlapping tapered windows along one axis (time samples or traces), for methods that assume stationarity only
 * locally (f-x deconvolution, POCS). The weights of all windows sum to exactly one at every position, so they can
 * either taper each window's data before processing, the processed pieces then summed (time windows: a smooth window
 * edge does not spread energy over all frequencies), or blend the processed windows (the trace windows of f-x
 * deconvolution, where a taper across traces would spoil the prediction). Either way a method that returns its input
 * unchanged returns the section unchanged.
 */

export interface TaperedWindow {
  start: number;
  length: number;
  /** Taper of each position of the window; over all windows they sum to one at every position. */
  weights: Float64Array;
}

/** Raised-cosine ramp value at position j of an n-sample ramp, never exactly zero so that every position counts. */
function ramp(j: number, n: number): number {
  return Math.sin((Math.PI / 2) * ((j + 0.5) / n)) ** 2;
}

function windowStarts(length: number, windowLength: number, overlap: number): number[] {
  if (windowLength >= length) return [0];
  const hop = windowLength - overlap;
  const count = Math.ceil((length - windowLength) / hop) + 1;
  // Spread the windows evenly so that the last one ends at the last position: real overlaps are >= the requested one.
  return Array.from({ length: count }, (_, i) => Math.round((i * (length - windowLength)) / (count - 1)));
}

/**
 * Windows of `windowLength` positions covering [0, length), overlapping by at least `overlap` positions
 * (0 <= overlap < windowLength), with raised-cosine ramps over the overlaps and flat elsewhere, normalised to a
 * partition of unity. A window longer than the axis becomes one window over the whole axis with weight one.
 */
export function taperedWindows(length: number, windowLength: number, overlap: number): TaperedWindow[] {
  const size = Math.min(windowLength, length);
  const rampLength = Math.min(overlap, size - 1);
  const starts = windowStarts(length, size, rampLength);
  const total = new Float64Array(length);
  const windows = starts.map((start, index) => {
    const weights = new Float64Array(size).fill(1);
    for (let j = 0; j < rampLength; j++) {
      if (index > 0) weights[j] = ramp(j, rampLength);
      if (index < starts.length - 1) weights[size - 1 - j]! *= ramp(j, rampLength);
    }
    for (let j = 0; j < size; j++) total[start + j]! += weights[j]!;
    return { start, length: size, weights };
  });
  for (const window of windows) {
    for (let j = 0; j < window.length; j++) window.weights[j]! /= total[window.start + j]!;
  }
  return windows;
}
