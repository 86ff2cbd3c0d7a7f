/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of miniSEED 3 records. Slicing-by-8 (eight
 * 256-entry tables, eight bytes per step): every record of a file is checked, so this runs over every byte read.
 */

const TABLES = (() => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    tables[0]![n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) {
      const previous = tables[t - 1]![n]!;
      tables[t]![n] = (previous >>> 8) ^ tables[0]![previous & 0xff]!;
    }
  }
  return tables as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
})();

function update(crc: number, bytes: Uint8Array, start: number, end: number): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    crc ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    crc =
      t7[crc & 0xff]! ^
      t6[(crc >>> 8) & 0xff]! ^
      t5[(crc >>> 16) & 0xff]! ^
      t4[crc >>> 24]! ^
      t3[bytes[i + 4]!]! ^
      t2[bytes[i + 5]!]! ^
      t1[bytes[i + 6]!]! ^
      t0[bytes[i + 7]!]!;
  }
  for (; i < end; i++) crc = t0[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
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
