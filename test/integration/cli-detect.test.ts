/**
 * `promethium train --task spectrogram`, `promethium detect` and `promethium mseed denoise`, run as a user runs them
 * (the built CLI: `node scripts/build.mjs` first). The earthquake target itself is
 * main/passive/anomaly/detection.test.ts, the denoising main/passive/denoise/; here the one-component 40 Hz record
 * test.mseed (NL.HGN.00.BHZ, 5 minutes) checks the command line: a detector folder written and used again, one
 * component as well as three, the denoised file read back, and the errors a user meets.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMseedFile } from '../../main/passive/mseed';
import { encodeMseed } from '../../main/passive/mseed/writer';
import { testdataPath } from '../testdata';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-cli-detect-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function promethium(...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/promethium.cjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PROMETHIUM_HOME: path.join(work, 'home'), PROMETHIUM_BACKEND: 'wasm' },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const RECORD = testdataPath('mseed', 'test.mseed');

describe.skipIf(!existsSync(RECORD))('promethium train --task spectrogram and detect --model', () => {
  it('trains a detector folder on one component and scores the record with it', () => {
    const modelDir = path.join(work, 'hgn');
    const trained = promethium(
      'train',
      '--task',
      'spectrogram',
      '--data',
      RECORD,
      '--out',
      modelDir,
      '--epochs',
      '2',
      '--json',
    );
    expect(trained.stderr).toBe('');
    expect(trained.status).toBe(0);
    const state = JSON.parse(readFileSync(path.join(modelDir, 'detector.json'), 'utf8')) as {
      channels: string[];
      epoch: number;
      config: { params: { in_channels: number; input_size: number[] } };
    };
    expect(state.channels).toEqual(['NL.HGN.00.BHZ']);
    expect(state.epoch).toBe(2);
    // 40 Hz is not a low rate: the seed's STFT (nfft 256: 129 bins), windows of 32 frames.
    expect(state.config.params).toMatchObject({ in_channels: 1, input_size: [129, 32] });

    const detected = promethium('detect', '--model', modelDir, RECORD, '--json');
    expect(detected.status).toBe(0);
    const report = JSON.parse(detected.stdout) as { ranked: Array<{ score: number; startUtc: string }> };
    expect(report.ranked.length).toBe(19);
    expect(report.ranked[0]!.score).toBeGreaterThanOrEqual(report.ranked[18]!.score);
    expect(report.ranked[0]!.startUtc.startsWith('2003-05-29T02:1')).toBe(true);

    // The record split into its two 4096-byte records, one file each: the channel is joined across the files.
    const split = path.join(work, 'split');
    mkdirSync(split);
    const whole = readFileSync(RECORD);
    writeFileSync(path.join(split, 'part-1.mseed'), whole.subarray(0, 4096));
    writeFileSync(path.join(split, 'part-2.mseed'), whole.subarray(4096));
    const fromParts = promethium('detect', '--model', modelDir, split, '--json');
    expect(fromParts.stderr).toBe('');
    expect(JSON.parse(fromParts.stdout).ranked).toEqual(report.ranked);

    const notADetector = promethium('detect', '--model', work, RECORD);
    expect(notADetector.status).toBe(3);
    expect(notADetector.stderr).toContain('is not a spectrogram detector folder (detector.json is missing)');
  }, 60_000);
});

describe('promethium detect: errors a user meets', () => {
  it('several stations without --station: exit 3, naming them', () => {
    const options = { formatVersion: 2, encoding: 'float32', recordLength: 512 } as const;
    const samples = Float32Array.from({ length: 1200 }, (_, k) => Math.sin(k / 7));
    const bytes = [
      encodeMseed({ channel: 'XX.AAA.00.LHZ', startNs: 0n, sampleRate: 1, samples }, options),
      encodeMseed({ channel: 'XX.BBB.00.LHZ', startNs: 0n, sampleRate: 1, samples }, options),
    ];
    const file = path.join(work, 'two-stations.mseed');
    writeFileSync(file, new Uint8Array([...bytes[0]!, ...bytes[1]!]));
    const result = promethium('detect', file);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('several stations (XX.AAA.00, XX.BBB.00)');
  });

  it('a file that is not miniSEED: exit 3; a missing path: exit 4', () => {
    const text = path.join(work, 'notes.txt');
    writeFileSync(text, 'not a recording\n');
    expect(promethium('detect', text).status).toBe(3);
    expect(promethium('detect', path.join(work, 'missing.mseed')).status).toBe(4);
  });
});

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
