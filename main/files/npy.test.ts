import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SEGYIO_PYTHON } from '../../test/testdata';
import { encodeNpy, NpyFormatError, NpyReader, NpyWriter, parseNpyHeader } from './npy';

const dir = mkdtempSync(path.join(tmpdir(), 'promethium-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** numpy (Debian's, next to segyio) as the oracle of the format. */
function python(code: string): string {
  return execFileSync(SEGYIO_PYTHON, ['-c', code], { encoding: 'utf8' });
}

const numpyAvailable = (() => {
  try {
    python('import numpy');
    return true;
  } catch {
    return false;
  }
})();

describe('.npy files', () => {
  it('reads back what NpyWriter wrote piece by piece, by item ranges, and leaves no partial file', () => {
    const file = path.join(dir, 'written.npy');
    const writer = new NpyWriter(file, [3, 2, 2]);
    writer.append(Float32Array.of(0, 1, 2, 3));
    writer.append(Float32Array.of(4, 5, 6, 7, 8, 9, 10, 11));
    writer.close();
    expect(readdirSync(dir).filter((name) => name.endsWith('.partial'))).toEqual([]);
    const reader = NpyReader.open(file);
    expect(reader.shape).toEqual([3, 2, 2]);
    expect([...reader.readItems(1, 2)]).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(() => reader.readItems(2, 2)).toThrow(/items 2 to 3 asked for, it holds 3/);
    reader.close();
  });

  it('removes the partial file when fewer values were written than the shape holds', () => {
    const file = path.join(dir, 'short.npy');
    const writer = new NpyWriter(file, [4]);
    writer.append(Float32Array.of(1, 2));
    expect(() => writer.close()).toThrow(/2 values written, the shape holds 4/);
    expect(existsSync(file) || existsSync(`${file}.partial`)).toBe(false);
  });

  it('refuses other dtypes, Fortran order and files that are not .npy, by name', () => {
    const header = (dict: string) => {
      const text = new TextEncoder().encode(dict);
      const bytes = new Uint8Array(10 + text.length);
      bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length, 0]);
      bytes.set(text, 10);
      return bytes;
    };
    expect(() => parseNpyHeader(header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"), 'a.npy')).toThrow(
      /a.npy: values of type '<f8'; only float32/,
    );
    expect(() => parseNpyHeader(header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }"), 'b.npy')).toThrow(
      /b.npy is stored in Fortran \(column-major\) order/,
    );
    expect(() => parseNpyHeader(new TextEncoder().encode('not numpy at all'), 'c.npy')).toThrow(NpyFormatError);
    const truncated = path.join(dir, 'truncated.npy');
    const whole = encodeNpy(Float32Array.of(1, 2, 3, 4), [4]);
    writeFileSync(truncated, whole.subarray(0, whole.length - 6));
    expect(() => NpyReader.open(truncated)).toThrow(
      `ends after ${whole.length - 6} bytes; its shape (4) needs ${whole.length}`,
    );
  });

  it.skipIf(!numpyAvailable)('agrees with numpy both ways, big-endian files and format 2.0 included', () => {
    const ours = path.join(dir, 'ours.npy');
    const writer = new NpyWriter(ours, [2, 3]);
    writer.append(Float32Array.of(1.5, -2, 3, 4, 5, 6.25));
    writer.close();
    expect(
      python(`import numpy as np; a = np.load('${ours}'); print(a.dtype, a.shape, a.ravel().tolist())`).trim(),
    ).toBe('float32 (2, 3) [1.5, -2.0, 3.0, 4.0, 5.0, 6.25]');
    const bigEndian = path.join(dir, 'big.npy');
    const version2 = path.join(dir, 'v2.npy');
    python(
      `import numpy as np; a = np.arange(12, dtype='>f4').reshape(3, 4) / 4; np.save('${bigEndian}', a)\n` +
        `from numpy.lib import format as f; f.write_array(open('${version2}', 'wb'), a.astype('<f4'), version=(2, 0))`,
    );
    for (const file of [bigEndian, version2]) {
      const reader = NpyReader.open(file);
      expect(reader.shape).toEqual([3, 4]);
      expect([...reader.readItems(0, 3)]).toEqual(Array.from({ length: 12 }, (_, i) => i / 4));
      reader.close();
    }
  });
});
