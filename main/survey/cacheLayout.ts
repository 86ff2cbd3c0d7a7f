/**
 * The on-disk layout of a survey cache: a Zarr v3 group in an MDIO-like arrangement that zarr-python, zarrita and
 * xarray open as is. The same [inline, crossline, sample] volume is stored in up to three chunkings, one per read
 * direction, because one chunking cannot serve them all (a crossline read through inline chunks touches every chunk).
 *
 *   zarr.json                  group; attributes.promethium = SurveyCacheAttributes
 *   inline, crossline, sample  1-D coordinate arrays (inline/crossline numbers, sample times or depths)
 *   live_mask                  uint8 [inline, crossline]; 1 where the survey has a trace, 0 where it was filled with 0
 *   seismic/fast_inline        float32, chunks [1, XL, S]      (always present: the copy every other one derives from)
 *   seismic/fast_crossline     float32, chunks [IL, 1, S]      (optional)
 *   seismic/fast_time          float32, chunks [IL, XL, T]     (optional; T samples per chunk, 1 by default)
 *   seismic/lod                float32, one chunk: box means over factor^3 cells, for the 3D view
 *
 * Chunks are uncompressed little-endian ("bytes" codec only) so a read is one positional read of the bytes it needs.
 */
import { join } from 'node:path';

/** [inline, crossline, sample] extents, or chunk extents in the same order. */
export type VolumeShape = readonly [number, number, number];

export const SEISMIC_LAYOUTS = ['fast_inline', 'fast_crossline', 'fast_time'] as const;
export type SeismicLayout = (typeof SEISMIC_LAYOUTS)[number];

export const VOLUME_DIMENSIONS = ['inline', 'crossline', 'sample'];
export const CACHE_FORMAT_VERSION = 1;
/** The 3D view gets the whole downsampled volume in one message; this caps it by default. */
export const DEFAULT_LOD_MAX_BYTES = 64 * 1024 * 1024;

export interface SampleAxis {
  start: number;
  interval: number;
  /** 'ms' for time, 'm' or 'ft' for depth. */
  unit: string;
}

/** What the root group's `attributes.promethium` holds. */
export interface SurveyCacheAttributes {
  formatVersion: number;
  shape: [number, number, number];
  sampleAxis: SampleAxis;
  liveTraceCount: number;
  layouts: SeismicLayout[];
  timeChunkSamples: number;
  lod: { factor: number; shape: [number, number, number]; method: 'mean of live traces' };
  /** Whatever the importer wants to keep with the cache (source file, header map...). */
  survey: Record<string, unknown>;
}

/** Where one chunked float32 volume lives and how it is cut. */
export interface ChunkedVolumeSpec {
  arrayPath: string;
  shape: VolumeShape;
  chunkShape: VolumeShape;
}

export const LOD_ARRAY_PATH = 'seismic/lod';

function seismicArrayPath(layout: SeismicLayout): string {
  return `seismic/${layout}`;
}

export function layoutChunkShape(layout: SeismicLayout, shape: VolumeShape, timeChunkSamples: number): VolumeShape {
  const [inlines, crosslines, samples] = shape;
  if (layout === 'fast_inline') return [1, crosslines, samples];
  if (layout === 'fast_crossline') return [inlines, 1, samples];
  return [inlines, crosslines, timeChunkSamples];
}

export function layoutSpec(layout: SeismicLayout, shape: VolumeShape, timeChunkSamples: number): ChunkedVolumeSpec {
  return { arrayPath: seismicArrayPath(layout), shape, chunkShape: layoutChunkShape(layout, shape, timeChunkSamples) };
}

/** Zarr v3 "default" chunk key encoding with the "/" separator: <array>/c/<i>/<j>/<k>. */
export function chunkFilePath(cacheDir: string, arrayPath: string, chunkCoords: readonly number[]): string {
  return join(cacheDir, arrayPath, 'c', ...chunkCoords.map(String));
}

export function chunkGrid(spec: ChunkedVolumeSpec): VolumeShape {
  const [a, b, c] = spec.shape;
  const [ca, cb, cc] = spec.chunkShape;
  return [Math.ceil(a / ca), Math.ceil(b / cb), Math.ceil(c / cc)];
}

export function volumeOf(shape: readonly number[]): number {
  return shape.reduce((product, extent) => product * extent, 1);
}

/** The smallest integer factor that brings the box-mean volume to at most `maxBytes`. */
export function lodFactor(shape: VolumeShape, maxBytes: number): number {
  let factor = 1;
  while (volumeOf(lodShape(shape, factor)) * 4 > maxBytes && factor < Math.max(...shape)) factor++;
  return factor;
}

export function lodShape(shape: VolumeShape, factor: number): [number, number, number] {
  return [Math.ceil(shape[0] / factor), Math.ceil(shape[1] / factor), Math.ceil(shape[2] / factor)];
}
