/** The `promethium` SEG-Y commands, run as a user runs them (the built CLI), with segyio/numpy as the oracle. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasTestdata, SEGYIO_PYTHON, testdataPath } from '../testdata';
import { segyioAvailable } from './segyOracle';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function promethium(...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/promethium.cjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PROMETHIUM_HOME: path.join(work, 'home'), PROMETHIUM_BACKEND: 'cpu' },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const hasSegyio = segyioAvailable();
if (!hasSegyio) console.warn('[cli-segy] python3-segyio missing: oracle checks are SKIPPED');

function python(code: string): string {
  return execFileSync(SEGYIO_PYTHON, ['-c', code], { encoding: 'utf8' }).trim();
}

describe.skipIf(!hasTestdata)('promethium info / dump / import / export', () => {
  const f3 = testdataPath('segy', 'f3.sgy');

  it('info --json describes f3.sgy: format, geometry and the header map with its confidence', () => {
    const { status, stdout } = promethium('info', f3, '--json');
    expect(status).toBe(0);
    const info = JSON.parse(stdout);
    expect(info.file).toMatchObject({ format: 3, traceCount: 414, samplesPerTrace: 75, byteOrder: 'big' });
    expect(info.kind).toBe('post-stack-3d');
    expect(info.headerMap.map).toMatchObject({ inline: 189, crossline: 193 });
    expect(info.headerMap.confidence).toBeGreaterThan(0.5);
    expect(info.warnings.join(' ')).toMatch(/462/); // the trace headers' sample count disagrees with the binary header
  });

  it('info refuses a non-SEG-Y file with a clear message and exit code 3', () => {
    const { status, stderr } = promethium('info', path.resolve('README.md'));
    expect(status).toBe(3);
    expect(stderr).toMatch(/not a SEG-Y file/);
    expect(promethium('info', path.join(work, 'missing.sgy')).status).toBe(4);
  });

  it.skipIf(!hasSegyio)('dump writes a float32 [traces, samples] .npy equal to segyio', () => {
    const npy = path.join(work, 'f3.npy');
    const headers = path.join(work, 'f3.json');
    expect(promethium('dump', f3, '--traces', '100:120', '--npy', npy, '--headers', headers).status).toBe(0);
    const same = python(
      `import numpy as np, segyio\na = np.load('${npy}')\nwith segyio.open('${f3}') as f:\n` +
        `    b = segyio.tools.collect(f.trace[100:120])\nprint(a.shape, a.dtype, np.array_equal(a, b))`,
    );
    expect(same).toBe('(20, 75) float32 True');
    const parsed = JSON.parse(readFileSync(headers, 'utf8')) as { inline: number }[];
    expect(parsed).toHaveLength(20);
    expect(promethium('dump', f3, '--traces', '5:2', '--npy', npy).status).toBe(2);
  });

  it.skipIf(!hasSegyio)('import then export writes a file segyio reads with the original headers and samples', () => {
    const project = path.join(work, 'project');
    const imported = promethium('import', f3, '--project', project, '--json');
    expect(imported.status).toBe(0);
    const survey = JSON.parse(imported.stdout) as { id: string; state: string };
    expect(survey.state).toBe('ready');
    const out = path.join(work, 'f3-export.sgy');
    expect(promethium('export', survey.id, out, '--project', project).status).toBe(0);
    expect(readdirSync(work).filter((name) => name.includes('.tmp-'))).toEqual([]);
    const source = readFileSync(f3);
    const exported = readFileSync(out);
    expect(exported.length).toBe(source.length);
    expect(exported.subarray(3200).equals(source.subarray(3200))).toBe(true); // binary + trace headers + samples
    const check = python(
      `import numpy as np, segyio\nwith segyio.open('${f3}') as a, segyio.open('${out}') as b:\n` +
        `    print(np.array_equal(segyio.tools.collect(a.trace[:]), segyio.tools.collect(b.trace[:])),` +
        ` all(a.header[i] == b.header[i] for i in range(a.tracecount)), b'Promethium' in bytes(b.text[0]))`,
    );
    expect(check).toBe('True True True');
    expect(promethium('export', survey.id, out, '--project', project, '--format', 'bogus').status).toBe(2);
  });

  it('refuses unknown commands and missing arguments with exit code 2', () => {
    expect(promethium('bogus').status).toBe(2);
    expect(promethium('dump', f3).status).toBe(2);
    expect(existsSync(path.join(work, 'home'))).toBeDefined();
  });
});
