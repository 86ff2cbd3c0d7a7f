export type NpyArray = Float32Array | Float64Array | Int32Array;

/** NumPy's little-endian dtype of each array type. */
function npyDescr(values: NpyArray): string {
  if (values instanceof Int32Array) return '<i4';
  return values instanceof Float64Array ? '<f8' : '<f4';
}

/**
 * NumPy .npy (format 1.0) encoding of a float32, float64 or int32 C-order array, for `promethium dump` and
 * `promethium mseed dump`: numpy.load reads it as is. The header is padded so that the data starts on a 64-byte
 * boundary, as numpy itself writes it.
 */
export function encodeNpy(values: NpyArray, shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${npyDescr(values)}', 'fortran_order': False, 'shape': (${dims}), }`;
  const preamble = 10; // magic (6) + version (2) + header length (2)
  header += ' '.repeat(64 - ((preamble + header.length + 1) % 64)) + '\n';
  const bytes = new Uint8Array(preamble + header.length + values.byteLength);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  bytes.set(new TextEncoder().encode(header), preamble);
  // Typed arrays are little-endian on every platform Node runs on.
  bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), preamble + header.length);
  return bytes;
}
