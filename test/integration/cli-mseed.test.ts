/**
 * `promethium mseed info` and `mseed dump`, run as a user runs them (the built CLI: `node scripts/build.mjs` first),
 * on the real files and on files written with known gaps and damage; numpy checks the .npy against libmseed's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeMseed } from '../../main/passive/mseed/writer';
import { seededRandom } from '../../main/signal/random';
import { testdataPath } from '../testdata';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-cli-mseed-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function promethium(...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/promethium.cjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PROMETHIUM_HOME: path.join(work, 'home') },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const PYTHON = '/usr/bin/python3';
const hasNumpy = spawnSync(PYTHON, ['-c', 'import numpy']).status === 0;
if (!hasNumpy) console.warn('[cli-mseed] /usr/bin/python3 has no numpy: .npy checks are SKIPPED');
const hasMseedTestdata = existsSync(testdataPath('mseed', 'REFERENCE.jsonl'));

const T0 = 1_700_000_000_000_000_000n; // 2023-11-14T22:13:20Z
/** A channel with a 5 s gap, a damaged record and a second channel: what info must report. */
function writeGappyFile(file: string): void {
  const random = seededRandom(5);
  const walk = Int32Array.from({ length: 2000 }, () => Math.round((random() - 0.5) * 1000));
  const options = { formatVersion: 2, encoding: 'steim2', recordLength: 512 } as const;
  const first = encodeMseed({ channel: 'XX.GAP.00.HHZ', startNs: T0, sampleRate: 100, samples: walk }, options);
  const second = encodeMseed(
    { channel: 'XX.GAP.00.HHZ', startNs: T0 + 25_000_000_000n, sampleRate: 100, samples: walk },
    options,
  );
  const other = encodeMseed(
    { channel: 'XX.GAP.00.HHN', startNs: T0, sampleRate: 100, samples: Float32Array.from(walk) },
    { ...options, encoding: 'float32' },
  );
  const bytes = new Uint8Array([...first, ...second, ...other]);
  bytes.fill(0, first.length + second.length + 512, first.length + second.length + 560); // HHN's 2nd record header
  writeFileSync(file, bytes);
}

describe('promethium mseed', () => {
  it('info lists channels, nanosecond times, gaps, encodings and damaged records', () => {
    const file = path.join(work, 'gappy.mseed');
    writeGappyFile(file);
    const { status, stdout } = promethium('mseed', 'info', file, '--json');
    expect(status).toBe(0);
    const [summary] = JSON.parse(stdout).files;
    expect(summary.channels.map((c: { name: string }) => c.name)).toEqual(['XX.GAP.00.HHN', 'XX.GAP.00.HHZ']);
    const z = summary.channels[1];
    expect(z).toMatchObject({ sampleRates: [100], encodings: ['Steim-2'], samples: 4000, segments: 2 });
    expect(z.start).toEqual({ utc: '2023-11-14T22:13:20.000000000Z', ns: T0.toString() });
    expect(z.gaps).toEqual([
      expect.objectContaining({
        kind: 'gap',
        seconds: 5,
        after: expect.objectContaining({ utc: '2023-11-14T22:13:39.990000000Z' }),
      }),
    ]);
    expect(summary.channels[0]).toMatchObject({ encodings: ['float32'], sampleType: 'float32', segments: 2 });
    expect(summary.problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        message: expect.stringMatching(/no miniSEED 2 or 3 record header/),
      }),
    ]);

    const text = promethium('mseed', 'info', file).stdout;
    expect(text).toMatch(/channel: {3}XX\.GAP\.00\.HHZ {2}100 Hz {2}Steim-2 {2}4000 samples, 2 segments/);
    expect(text).toMatch(/gap of 5 s after 2023-11-14T22:13:39\.990000000Z/);
    expect(text).toMatch(/error {6}record \d+ \(byte \d+\): no miniSEED 2 or 3 record header here/);
  });

  it.skipIf(!hasMseedTestdata)('info reads a folder and says which files are not miniSEED', () => {
    const { status, stdout } = promethium('mseed', 'info', testdataPath('mseed'), '--json');
    expect(status).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.files).toHaveLength(3);
    expect(result.notMseed.length).toBeGreaterThan(0);
    const cola = result.files.find((f: { file: string }) => f.file.endsWith('.mseed3'));
    expect(cola.channels[2]).toMatchObject({
      name: 'IU.COLA.00.LHZ',
      start: { utc: '2010-02-27T06:50:00.069539000Z', ns: '1267253400069539000' },
      end: { utc: '2010-02-27T07:59:59.069538000Z' },
    });
  });

  it.skipIf(!hasMseedTestdata || !hasNumpy)('dump writes the int32 samples libmseed decodes, as .npy', () => {
    const npy = path.join(work, 'lhz.npy');
    const file = testdataPath('mseed', 'testdata-3channel-signal.mseed3');
    const { status, stdout } = promethium('mseed', 'dump', file, '--channel', 'IU.COLA.00.LHZ', '--npy', npy);
    expect(status).toBe(0);
    expect(stdout).toMatch(/wrote 4200 int32 samples of IU.COLA.00.LHZ at 1 Hz, 2010-02-27T06:50:00.069539000Z/);
    const reference = testdataPath('mseed', 'reference', 'testdata-3channel-signal.mseed3.2.npy');
    const check = spawnSync(PYTHON, [
      '-c',
      `import numpy as np; a = np.load('${npy}'); b = np.load('${reference}'); print(a.dtype, a.shape, np.array_equal(a, b))`,
    ]);
    expect(check.stdout.toString().trim()).toBe('int32 (4200,) True');
  });

  it('dump asks which segment where a channel has gaps, and refuses wrong channels and files', () => {
    const file = path.join(work, 'gappy2.mseed');
    writeGappyFile(file);
    const npy = path.join(work, 'out.npy');
    const ambiguous = promethium('mseed', 'dump', file, '--channel', 'XX.GAP.00.HHZ', '--npy', npy);
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr).toMatch(/2 segments .* --segment N/);
    expect(promethium('mseed', 'dump', file, '--channel', 'XX.GAP.00.HHZ', '--segment', '2', '--npy', npy).status).toBe(
      0,
    );
    const wrongChannel = promethium('mseed', 'dump', file, '--channel', 'XX.GAP.00.HHE', '--npy', npy);
    expect([wrongChannel.status, wrongChannel.stderr]).toEqual([
      2,
      expect.stringMatching(/has no channel XX.GAP.00.HHE; it has XX.GAP.00.HHN, XX.GAP.00.HHZ/),
    ]);
    expect(promethium('mseed', 'dump', file, '--channel', 'HHZ', '--npy', npy).status).toBe(2);
    const notMseed = path.join(work, 'notes');
    mkdirSync(notMseed);
    writeFileSync(path.join(notMseed, 'notes.txt'), 'field notes, not a recording');
    expect(promethium('mseed', 'info', notMseed).status).toBe(3);
    expect(promethium('mseed', 'info', path.join(work, 'missing.mseed')).status).toBe(4);
  });
});
