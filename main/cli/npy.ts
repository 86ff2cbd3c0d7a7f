/**
 * NumPy .npy (format 1.0) encoding of a float32 C-order array, for `promethium dump`: numpy.load reads it as is.
 * The header is padded so that the data starts on a 64-byte boundary, as numpy itself writes it.
 */
export function encodeNpy(values: Float32Array, shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const preamble = 10; // magic (6) + version (2) + header length (2)
  header += ' '.repeat(64 - ((preamble + header.length + 1) % 64)) + '\n';
  const bytes = new Uint8Array(preamble + header.length + values.byteLength);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  bytes.set(new TextEncoder().encode(header), preamble);
  const data = new Float32Array(values); // copy: little-endian on every platform Node runs on
  bytes.set(new Uint8Array(data.buffer), preamble + header.length);
  return bytes;
}
