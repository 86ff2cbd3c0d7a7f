/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of miniSEED 3 records. */

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function update(crc: number, bytes: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

/**
 * CRC-32C of the record in bytes[start, end) with its own 4-byte CRC field (at start + fieldOffset) taken as zeros,
 * which is how miniSEED 3 defines it.
 */
export function recordCrc32c(bytes: Uint8Array, start: number, end: number, fieldOffset: number): number {
  let crc = update(0xffffffff, bytes, start, start + fieldOffset);
  crc = update(crc, new Uint8Array(4), 0, 4);
  crc = update(crc, bytes, start + fieldOffset + 4, end);
  return (crc ^ 0xffffffff) >>> 0;
}
