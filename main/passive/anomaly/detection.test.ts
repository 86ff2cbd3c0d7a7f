/**
 * The target on the real record: IU.COLA.00 (Alaska), LH1/LH2/LHZ at 1 sps, 70 minutes from 06:50:00 UTC on
 * 2010-02-27, 16 minutes after the Mw 8.8 Maule (Chile) origin time. The first P wave arrives about 250 s into the
 * record (06:54:10; LHZ peaks go from 10-25 k counts before 250 s to 120 k counts by 265 s), S and surface waves
 * follow and fill the rest. Windows are 152 s every 32 s (spectrogramWindows.ts), so windows 0-3 (0-248 s) are the
 * pre-event noise and windows 4-7 (128-376 s) hold the P onset. Trained on this record alone (seeded, 20 epochs),
 * the top window must be one of the onset windows, above every quiet one (measured: window 4, 06:52:08-06:54:40,
 * score 7.8; the best quiet window, 3, scores 5.5: the pre-event noise is rare in this record too).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testdataPath } from '../../../test/testdata';
import { chooseBackend } from '../../ml/backends';
import { readModelConfigFile } from '../../ml/modelConfig';
import { readMseedFile } from '../mseed';
import { detectWithModel, trainAndDetect } from './detection';
import { stationRecording } from './stationRecording';

const CONFIG = path.join(
  __dirname,
  '..',
  '..',
  '..',
  'resources',
  'configs',
  'passive',
  'spectrogram_autoencoder.yaml',
);
const COLA = ['testdata-3channel-signal.mseed2', 'testdata-3channel-signal.mseed3'];
const hasRecords = COLA.every((name) => existsSync(testdataPath('mseed', name)));
const QUIET_WINDOWS = [0, 1, 2, 3];
const ONSET_WINDOWS = [4, 5, 6, 7];

let modelDir: string;

beforeAll(async () => {
  await chooseBackend('wasm');
  modelDir = await mkdtemp(path.join(os.tmpdir(), 'promethium-detect-'));
});

afterAll(async () => {
  await rm(modelDir, { recursive: true, force: true });
});

describe.skipIf(!hasRecords)('earthquake detection on the Maule record at IU.COLA', () => {
  it('the miniSEED 2 and 3 files hold the same recording (so one training covers both)', async () => {
    const [v2, v3] = await Promise.all(
      COLA.map(async (name) => stationRecording((await readMseedFile(testdataPath('mseed', name))).channels)),
    );
    expect(v3).toEqual(v2);
  });

  it('the P-onset window ranks first after training on the record alone', async () => {
    const recording = stationRecording((await readMseedFile(testdataPath('mseed', COLA[0]!))).channels);
    expect(recording.channels).toEqual(['IU.COLA.00.LH1', 'IU.COLA.00.LH2', 'IU.COLA.00.LHZ']);
    const report = await trainAndDetect(recording, await readModelConfigFile(CONFIG), {
      epochs: 20,
      batchSize: 16,
      learningRate: 1e-3,
      validationFraction: 0.2,
      seed: 1,
      modelDir,
      resume: false,
    });
    const [top] = report.ranked;
    expect(ONSET_WINDOWS).toContain(top?.window);
    expect(top?.startUtc.slice(0, 19)).toMatch(/^2010-02-27T06:5[23]/);
    const quietBest = report.ranked.find((score) => QUIET_WINDOWS.includes(score.window));
    expect(quietBest!.score).toBeLessThan(top!.score);
    expect(report.detector.valMse).toHaveLength(3);
    expect(report.detector.valMae.every((mae) => mae > 0 && mae < 1)).toBe(true);
  }, 60_000);

  it('a saved detector scores the record again, every window against the held-out level', async () => {
    const recording = stationRecording((await readMseedFile(testdataPath('mseed', COLA[0]!))).channels);
    const report = await detectWithModel(recording, modelDir);
    expect(report.detector.epoch).toBe(20);
    expect(ONSET_WINDOWS).toContain(report.ranked[0]?.window);
  }, 30_000);
});
