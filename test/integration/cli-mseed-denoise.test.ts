/**
 * `promethium mseed denoise`, run as a user runs it (the built CLI: `node scripts/build.mjs` first), on the real
 * one-component record test.mseed (NL.HGN.00.BHZ, 40 Hz, 5 minutes). The denoising itself is tested in
 * main/passive/denoise/; here: the file written (read back by the project's reader), a detector folder used again,
 * and the errors a user meets.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMseedFile } from '../../main/passive/mseed';
import { testdataPath } from '../testdata';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-cli-denoise-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function promethium(...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/promethium.cjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PROMETHIUM_HOME: path.join(work, 'home'), PROMETHIUM_BACKEND: 'wasm' },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const RECORD = testdataPath('mseed', 'test.mseed');

describe.skipIf(!existsSync(RECORD))('promethium mseed denoise', () => {
  it('writes the denoised channel as float32 miniSEED, same start and length, and reports the reconstruction', async () => {
    const out = path.join(work, 'hgn-denoised.mseed');
    const run = promethium('mseed', 'denoise', RECORD, out, '--epochs', '2', '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout) as {
      channels: string[];
      epochs: number;
      reconstruction: Array<{ channel: string; mse: number; mae: number }>;
      removedDb: number[];
    };
    expect(summary.channels).toEqual(['NL.HGN.00.BHZ']);
    expect(summary.epochs).toBe(2);
    expect(summary.reconstruction[0]!.mse).toBeGreaterThan(summary.reconstruction[0]!.mae ** 2 - 1e-9);
    expect(summary.removedDb[0]).toBeGreaterThan(0);

    const [original, denoised] = await Promise.all([readMseedFile(RECORD), readMseedFile(out)]);
    expect(denoised.problems).toEqual([]);
    const before = original.channels[0]!.segments[0]!;
    const after = denoised.channels[0]!.segments[0]!;
    expect(denoised.channels[0]!.name).toBe('NL.HGN.00.BHZ');
    expect(after.startNs).toBe(before.startNs);
    expect(after.sampleRate).toBe(before.sampleRate);
    expect(after.samples.length).toBe(before.samples.length);
    expect(after.encodings).toEqual(['float32']);
    expect(after.formatVersions).toEqual([2]);
  }, 60_000);

  it('denoises with a detector folder from train --task spectrogram, as miniSEED 3 on request', async () => {
    const modelDir = path.join(work, 'hgn-detector');
    expect(
      promethium('train', '--task', 'spectrogram', '--data', RECORD, '--out', modelDir, '--epochs', '1').status,
    ).toBe(0);
    const out = path.join(work, 'hgn-denoised.ms3');
    const run = promethium('mseed', 'denoise', RECORD, out, '--model', modelDir, '--format', '3');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`detector:       ${modelDir}, 1 epochs`);
    expect(run.stdout).toMatch(/reconstruction: BHZ MSE [\d.]+ dB\^2, MAE [\d.]+ dB/);
    expect((await readMseedFile(out)).channels[0]!.segments[0]!.formatVersions).toEqual([3]);
  }, 60_000);

  it('refuses to overwrite the input (exit 2) and a folder that is not a detector (exit 3)', () => {
    const overwrite = promethium('mseed', 'denoise', RECORD, RECORD);
    expect(overwrite.status).toBe(2);
    expect(overwrite.stderr).toContain('is the input: write the denoised recording to a new file');
    const notADetector = promethium('mseed', 'denoise', RECORD, path.join(work, 'x.mseed'), '--model', work);
    expect(notADetector.status).toBe(3);
    expect(notADetector.stderr).toContain('is not a spectrogram detector folder');
    expect(existsSync(path.join(work, 'x.mseed'))).toBe(false);
  });
});
