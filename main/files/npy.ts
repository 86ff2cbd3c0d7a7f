/**
 * NumPy .npy files: encoding of float32, float64 or int32 C-order arrays for `promethium dump` and `promethium mseed
 * dump`, a streaming float32 writer for generated datasets (OpenFWI writes its samples as data*.npy / model*.npy
 * pairs), and a float32 reader that opens files of any size and reads a range of
 * the first axis (one sample, a batch) at a time. Format versions 1.0-3.0 are read, both byte orders ('<f4', '>f4');
 * Fortran-order arrays and other dtypes are refused by name. numpy.load reads what is written here as is.
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** An .npy file that cannot be read, with the reason. */
export class NpyFormatError extends Error {
  override name = 'NpyFormatError';
}

export type NpyArray = Float32Array | Float64Array | Int32Array;

/** NumPy's little-endian dtype of each array type. */
function npyDescr(values: NpyArray): string {
  if (values instanceof Int32Array) return '<i4';
  return values instanceof Float64Array ? '<f8' : '<f4';
}

/** The .npy header (format 1.0) of a little-endian C-order array, padded so that the data start on 64 bytes. */
function npyHeader(shape: readonly number[], descr = '<f4'): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  const preamble = 10; // magic (6) + version (2) + header length (2)
  header += ' '.repeat(64 - ((preamble + header.length + 1) % 64)) + '\n';
  const bytes = new Uint8Array(preamble + header.length);
  bytes.set([...MAGIC, 1, 0]);
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  bytes.set(new TextEncoder().encode(header), preamble);
  return bytes;
}

/** A whole C-order array as .npy bytes; numpy.load reads it as is. */
export function encodeNpy(values: NpyArray, shape: readonly number[]): Uint8Array {
  const header = npyHeader(shape, npyDescr(values));
  const bytes = new Uint8Array(header.length + values.byteLength);
  bytes.set(header);
  // Typed arrays are little-endian on every platform Node runs on.
  bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), header.length);
  return bytes;
}

/**
 * Writes a float32 array of a known shape piece by piece (samples of a dataset as they are generated) to `<path>.partial`,
 * renamed to `path` by close() once every value is there; abort() removes it.
 */
export class NpyWriter {
  private readonly fd: number;
  private readonly partialPath: string;
  private readonly expected: number;
  private written = 0;

  constructor(
    private readonly path: string,
    shape: readonly number[],
  ) {
    this.partialPath = `${path}.partial`;
    this.expected = shape.reduce((a, b) => a * b, 1);
    this.fd = openSync(this.partialPath, 'w');
    writeSync(this.fd, npyHeader(shape));
  }

  append(values: Float32Array): void {
    if (this.written + values.length > this.expected) {
      throw new RangeError(
        `${this.path}: ${this.written + values.length} values written, the shape holds ${this.expected}`,
      );
    }
    writeSync(this.fd, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    this.written += values.length;
  }

  close(): void {
    closeSync(this.fd);
    if (this.written !== this.expected) {
      rmSync(this.partialPath, { force: true });
      throw new RangeError(`${this.path}: ${this.written} values written, the shape holds ${this.expected}`);
    }
    renameSync(this.partialPath, this.path);
  }

  abort(): void {
    closeSync(this.fd);
    rmSync(this.partialPath, { force: true });
  }
}

export interface NpyHeader {
  readonly shape: readonly number[];
  readonly littleEndian: boolean;
  /** Byte offset of the first value. */
  readonly dataOffset: number;
}

/** Parses the header at the start of an .npy file (`bytes` holds at least the header). */
export function parseNpyHeader(bytes: Uint8Array, name: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new NpyFormatError(`${name} is not a NumPy .npy file`);
  const major = bytes[6]!;
  if (major < 1 || major > 3)
    throw new NpyFormatError(`${name}: .npy format version ${major} is not supported (1 to 3 are)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (bytes.length < dataOffset) throw new NpyFormatError(`${name}: the .npy header is cut short`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataOffset));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyFormatError(`${name}: the .npy header has no descr, fortran_order or shape: ${header.trim()}`);
  }
  if (descr !== '<f4' && descr !== '>f4') {
    throw new NpyFormatError(`${name}: values of type '${descr}'; only float32 ('<f4' or '>f4') arrays are read`);
  }
  if (fortran === 'True') {
    throw new NpyFormatError(
      `${name} is stored in Fortran (column-major) order; save it in C order (numpy.ascontiguousarray)`,
    );
  }
  const shape = shapeText
    .split(',')
    .map((dim) => dim.trim())
    .filter((dim) => dim !== '')
    .map(Number);
  if (shape.some((dim) => !Number.isInteger(dim) || dim < 0))
    throw new NpyFormatError(`${name}: bad shape (${shapeText})`);
  return { shape, littleEndian: descr === '<f4', dataOffset };
}

/** The first bytes read to find the header; .npy headers are a few hundred bytes. */
const HEADER_PROBE_BYTES = 65536;

/** An open .npy file: its shape, and reads of whole items of the first axis. */
export class NpyReader {
  readonly shape: readonly number[];
  private readonly header: NpyHeader;
  private readonly itemValues: number;

  private constructor(
    private readonly fd: number,
    private readonly path: string,
    header: NpyHeader,
    fileBytes: number,
  ) {
    this.header = header;
    this.shape = header.shape;
    this.itemValues = header.shape.slice(1).reduce((a, b) => a * b, 1);
    const expectedBytes = header.dataOffset + 4 * this.itemValues * (header.shape[0] ?? 1);
    if (fileBytes < expectedBytes) {
      throw new NpyFormatError(
        `${path} ends after ${fileBytes} bytes; its shape (${header.shape.join(', ')}) needs ${expectedBytes}`,
      );
    }
  }

  static open(path: string): NpyReader {
    const fd = openSync(path, 'r');
    try {
      const probe = new Uint8Array(HEADER_PROBE_BYTES);
      const read = readSync(fd, probe, 0, probe.length, 0);
      const header = parseNpyHeader(probe.subarray(0, read), path);
      return new NpyReader(fd, path, header, fstatSync(fd).size);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Items first .. first + count - 1 of the first axis, as native float32 values. */
  readItems(first: number, count: number): Float32Array {
    const items = this.shape[0] ?? 1;
    if (!(Number.isInteger(first) && Number.isInteger(count) && first >= 0 && count >= 0 && first + count <= items)) {
      throw new RangeError(`${this.path}: items ${first} to ${first + count - 1} asked for, it holds ${items}`);
    }
    const values = new Float32Array(count * this.itemValues);
    const bytes = new Uint8Array(values.buffer);
    readSync(this.fd, bytes, 0, bytes.length, this.header.dataOffset + first * this.itemValues * 4);
    if (!this.header.littleEndian) {
      const view = new DataView(values.buffer);
      for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(4 * i, false);
    }
    return values;
  }

  close(): void {
    closeSync(this.fd);
  }
}
