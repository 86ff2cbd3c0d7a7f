import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../../ml/backends';
import { parseModelConfig } from '../../ml/modelConfig';
import { gaussian, seededRandom } from '../../signal/random';
import { detectWithModel } from './detection';
import { readDetectorState } from './detectorFolder';
import type { StationRecording } from './stationRecording';
import { SpectrogramTrainingError, trainSpectrogramAutoencoder, type SpectrogramTrainingOptions } from './training';

/** Ten minutes of seeded noise on three components at 1 sps: 15 windows of 152 s every 32 s. */
function noiseRecording(seconds = 600): StationRecording {
  const normal = gaussian(seededRandom(7));
  return {
    station: 'XX.TEST.00',
    channels: ['XX.TEST.00.LHE', 'XX.TEST.00.LHN', 'XX.TEST.00.LHZ'],
    sampleRate: 1,
    startNs: 0n,
    components: [0, 1, 2].map(() => Float32Array.from({ length: seconds }, () => 1000 * normal())),
  };
}

const SMALL = parseModelConfig({ architecture: 'spectrogram_autoencoder', params: { features: [4, 8] } });
let dir: string;

beforeAll(async () => {
  await chooseBackend('wasm');
  dir = await mkdtemp(path.join(os.tmpdir(), 'promethium-spectrogram-training-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function options(modelDir: string, epochs: number, resume: boolean): SpectrogramTrainingOptions {
  return { epochs, batchSize: 4, learningRate: 1e-3, validationFraction: 0.2, seed: 3, modelDir, resume };
}

describe('spectrogram autoencoder training', () => {
  it('resuming from the folder after epoch 1 gives the run that never stopped (weights, Adam state, history)', async () => {
    const recording = noiseRecording();
    const straight = await trainSpectrogramAutoencoder(recording, SMALL, options(path.join(dir, 'straight'), 3, false));
    straight.model.dispose();
    const first = await trainSpectrogramAutoencoder(recording, SMALL, options(path.join(dir, 'resumed'), 1, false));
    first.model.dispose();
    const resumed = await trainSpectrogramAutoencoder(recording, SMALL, options(path.join(dir, 'resumed'), 3, true));
    resumed.model.dispose();

    expect(resumed.state.epoch).toBe(3);
    // Equal to float32 rounding: tfjs's Adam rebuilds its bias corrections as beta^(t+1) on restore where the
    // uninterrupted run multiplied by beta every step (last-digit differences from epoch 2 on).
    resumed.state.history.forEach((epoch, e) => {
      const reference = straight.state.history[e]!;
      expect(epoch.trainLoss).toBeCloseTo(reference.trainLoss, 5);
      expect(epoch.valLoss).toBeCloseTo(reference.valLoss, 5);
    });
    // Without the optimizer state (fresh Adam moments after epoch 1) epoch 2 differs by 7e-5 and fails the checks above.
    expect(resumed.state.history[1]!.trainLoss).toBe(straight.state.history[1]!.trainLoss);
    const saved = await readDetectorState(path.join(dir, 'resumed'));
    expect(saved.config.params).toMatchObject({ in_channels: 3, out_channels: 3, input_size: [17, 16] });
    expect(saved.history.at(-1)?.valMse).toHaveLength(3);
    expect(saved.normalLevels?.heldOut.median).toBeGreaterThan(0);
  }, 60_000);

  it('a run stopped before its last epoch leaves a resumable folder that detection refuses until it is finished', async () => {
    const recording = noiseRecording();
    const modelDir = path.join(dir, 'stopped');
    const stopAfterFirst = () => {
      throw new Error('stopped by the user');
    };
    await expect(
      trainSpectrogramAutoencoder(recording, SMALL, { ...options(modelDir, 3, false), onEpoch: stopAfterFirst }),
    ).rejects.toThrow('stopped by the user');
    expect((await readDetectorState(modelDir)).epoch).toBe(1);
    await expect(detectWithModel(recording, modelDir)).rejects.toThrow(/its training stopped before the end/);
  });

  it('says when the record is too short to hold a validation part, and refuses to resume on another recording', async () => {
    await expect(
      trainSpectrogramAutoencoder(noiseRecording(160), SMALL, options(path.join(dir, 'short'), 1, false)),
    ).rejects.toThrow(SpectrogramTrainingError);
    const other = { ...noiseRecording(), sampleRate: 2 };
    await expect(
      trainSpectrogramAutoencoder(other, SMALL, options(path.join(dir, 'resumed'), 4, true)),
    ).rejects.toThrow(/trained on XX.TEST.00.LHE, XX.TEST.00.LHN, XX.TEST.00.LHZ at 1 Hz/);
  });
});
