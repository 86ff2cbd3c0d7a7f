/**
 * Spectrogram pictures: the colour range shared by the components shown side by side, and the RGBA pixels of one
 * spectrogram (one pixel per column and frequency, low frequencies at the bottom; blank where a column is a gap).
 */
import { colormapTable, type ColormapName } from './colormaps';

export interface DecibelRange {
  min: number;
  max: number;
}

/**
 * From the 2nd to the 99.5th percentile of every finite value: a few extreme columns (a spike, a gap's edge) do not
 * wash the picture out, and the components compare on one scale. Null when there is no value at all (a window
 * shorter than one STFT segment, or a gap).
 */
export function decibelRange(values: readonly Float32Array[]): DecibelRange | null {
  const finite: number[] = [];
  for (const array of values) for (const value of array) if (Number.isFinite(value)) finite.push(value);
  if (finite.length === 0) return null;
  finite.sort((a, b) => a - b);
  const at = (p: number) => finite[Math.min(finite.length - 1, Math.floor(p * finite.length))]!;
  const min = at(0.02);
  const max = at(0.995);
  return max > min ? { min, max } : { min, max: min + 1 };
}

/** RGBA pixels, `columns` wide and `bins` high; NaN (no data) transparent. */
export function spectrogramPixels(
  decibels: Float32Array,
  columns: number,
  bins: number,
  range: DecibelRange,
  colormap: ColormapName = 'viridis',
): Uint8ClampedArray<ArrayBuffer> {
  const table = colormapTable(colormap);
  const pixels = new Uint8ClampedArray(columns * bins * 4);
  const scale = 255 / (range.max - range.min);
  for (let c = 0; c < columns; c++) {
    for (let f = 0; f < bins; f++) {
      const value = decibels[c * bins + f]!;
      if (Number.isNaN(value)) continue;
      const entry = Math.round(Math.min(255, Math.max(0, (value - range.min) * scale))) * 4;
      const pixel = ((bins - 1 - f) * columns + c) * 4;
      pixels[pixel] = table[entry]!;
      pixels[pixel + 1] = table[entry + 1]!;
      pixels[pixel + 2] = table[entry + 2]!;
      pixels[pixel + 3] = 255;
    }
  }
  return pixels;
}
