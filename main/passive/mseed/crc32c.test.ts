import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../signal/random';
import { recordCrc32c } from './crc32c';

/** Bit by bit, straight from the definition: the reference the table-driven version must equal. */
function bitwiseCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0x82f63b78 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('recordCrc32c', () => {
  it('the bitwise reference gives the published check value of "123456789"', () => {
    expect(bitwiseCrc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('equals the bitwise CRC of the record with its CRC field zeroed, at every length and alignment', () => {
    const random = seededRandom(32);
    for (let length = 4; length < 80; length++) {
      const record = Uint8Array.from({ length }, () => Math.floor(random() * 256));
      const field = Math.floor(random() * (length - 3));
      const zeroed = record.slice();
      zeroed.fill(0, field, field + 4);
      expect(recordCrc32c(record, 0, length, field)).toBe(bitwiseCrc32c(zeroed));
    }
  });
});
