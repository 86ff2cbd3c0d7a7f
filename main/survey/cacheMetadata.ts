/**
 * Zarr v3 metadata of the survey caches: written through zarrita (so what we write is what zarrita reads) and checked
 * on open (the fast read path reads chunk bytes directly, so an array must be exactly what the writer made).
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as zarr from 'zarrita';
import FileSystemStore from '@zarrita/storage/fs';
import { SurveyCacheError, damagedCache } from './cacheErrors';
import { bytesOf, isMissingFile } from './cacheFiles';
import { chunkFilePath } from './cacheLayout';

export type CacheDataType = 'float32' | 'float64' | 'int32' | 'uint8';

/** The Zarr v3 spec requires an array-to-bytes codec; zarrita's default of no codecs would not open in zarr-python. */
function bytesCodec(dtype: CacheDataType): zarr.CodecMetadata {
  return dtype === 'uint8'
    ? { name: 'bytes', configuration: {} }
    : { name: 'bytes', configuration: { endian: 'little' } };
}

/** Writes Zarr v3 metadata (zarr.json files) under `cacheDir`, through zarrita so the result is what zarrita reads. */
export class CacheMetadataWriter {
  private readonly root: zarr.Location<FileSystemStore>;

  constructor(cacheDir: string) {
    this.root = zarr.root(new FileSystemStore(cacheDir));
  }

  async group(path: string, attributes: Record<string, unknown> = {}): Promise<void> {
    await zarr.create(path === '' ? this.root : this.root.resolve(path), { attributes });
  }

  async array(
    path: string,
    options: {
      shape: readonly number[];
      chunkShape: readonly number[];
      dtype: CacheDataType;
      dimensionNames: string[];
    },
  ): Promise<void> {
    await zarr.create(this.root.resolve(path), {
      shape: [...options.shape],
      chunkShape: [...options.chunkShape],
      dtype: options.dtype,
      fillValue: 0,
      codecs: [bytesCodec(options.dtype)],
      dimensionNames: options.dimensionNames,
    });
  }
}

export async function readJson(dir: string, path: string): Promise<unknown> {
  const file = join(dir, path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isMissingFile(error)) throw damagedCache(dir, `${path} is missing`, error);
    throw new SurveyCacheError('io', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw damagedCache(dir, `${path} is not valid JSON`, error);
  }
}

/** Throws unless the array has exactly this shape, chunking, type and plain little-endian bytes encoding. */
export async function checkArrayMetadata(
  dir: string,
  arrayPath: string,
  shape: readonly number[],
  chunkShape: readonly number[],
  dtype: string,
): Promise<void> {
  const metadata = (await readJson(dir, join(arrayPath, 'zarr.json'))) as {
    shape?: unknown;
    data_type?: unknown;
    chunk_grid?: { configuration?: { chunk_shape?: unknown } };
    codecs?: { name?: unknown; configuration?: { endian?: unknown } }[];
  };
  const sameShape = (a: unknown, b: readonly number[]) => JSON.stringify(a) === JSON.stringify(b);
  const codec = metadata.codecs?.[0];
  const plainBytes =
    metadata.codecs?.length === 1 && codec?.name === 'bytes' && codec.configuration?.endian === 'little';
  if (
    !sameShape(metadata.shape, shape) ||
    !sameShape(metadata.chunk_grid?.configuration?.chunk_shape, chunkShape) ||
    metadata.data_type !== dtype ||
    !plainBytes
  ) {
    throw damagedCache(dir, `${arrayPath}/zarr.json does not match the cache's shape, chunking or encoding`);
  }
}

export async function readSingleChunk(
  dir: string,
  arrayPath: string,
  chunkCoords: number[],
  bytes: number,
): Promise<ArrayBuffer> {
  const file = chunkFilePath(dir, arrayPath, chunkCoords);
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch (error) {
    throw damagedCache(dir, `${arrayPath} has no data`, error);
  }
  if (content.byteLength !== bytes) {
    throw damagedCache(dir, `${arrayPath} holds ${content.byteLength} bytes, ${bytes} expected`);
  }
  const copy = new ArrayBuffer(bytes); // a Buffer may be a view into a shared pool; the typed arrays get their own
  new Uint8Array(copy).set(content);
  return copy;
}

export async function fileExists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Small arrays (coordinates, masks, counts) are one chunk each, written whole. */
export async function writeSingleChunk(
  dir: string,
  arrayPath: string,
  chunkCoords: number[],
  values: Float32Array | Float64Array | Int32Array | Uint8Array,
): Promise<void> {
  const file = chunkFilePath(dir, arrayPath, chunkCoords);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, bytesOf(values));
}
