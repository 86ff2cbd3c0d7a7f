/**
 * `spectrogram-epoch`: the target "training an epoch over a day of three channels in under a minute on an
 * H100/H200", measured with the code `promethium train --task spectrogram` runs (anomaly/training.ts: the seed's
 * autoencoder, 778,691 parameters, batch 16, Adam, the detector folder written every epoch).
 *
 * The day is generated (three components of 100 Hz AR(1) noise, test/bench/mseed.ts's noiseDay, seeds 20-22): the seed
 * STFT (256/192/256) gives 134,997 frames per component and 16,871 windows of 129 bins x 32 frames x 3 components, 80 %
 * of which train. Two epochs run; each epoch's time covers its training steps and the validation pass over the
 * held-out 20 % (the second epoch is the figure: the first also compiles the GPU's shaders). Prints one JSON line.
 *
 * On the GPU machine: `npm run bench -- ml-gpu-prep` here, then test/bench/gpu-spectrogram-epoch.sh there. Here, to
 * try the code path on the CPU: `npm run bench -- spectrogram-epoch wasm --hours 0.05`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chooseBackend } from '../../main/ml/backends';
import { activateWebgpuFromDawn } from '../../main/ml/dawnWebgpu';
import { readModelConfigFile } from '../../main/ml/modelConfig';
import type { StationRecording } from '../../main/passive/anomaly/stationRecording';
import { trainSpectrogramAutoencoder } from '../../main/passive/anomaly/training';
import type { SpectrogramEpoch } from '../../main/passive/anomaly/detectorFolder';
import { noiseDay } from './mseed';

const SAMPLES_PER_HOUR_AT_100_HZ = 360_000;

/** Read from the repository the benchmark runs in (the GPU machine gets a copy of the working tree). */
const CONFIG = path.join('resources', 'configs', 'passive', 'spectrogram_autoencoder.yaml');

function generatedRecording(hours: number): StationRecording {
  const length = Math.round(hours * SAMPLES_PER_HOUR_AT_100_HZ);
  return {
    station: 'XX.BENCH.00',
    channels: ['XX.BENCH.00.HHE', 'XX.BENCH.00.HHN', 'XX.BENCH.00.HHZ'],
    sampleRate: 100,
    startNs: 0n,
    components: [20, 21, 22].map((seed) => Float32Array.from(noiseDay(length, seed))),
  };
}

/** `backendOrDawn`: the path of dawn.node (the webgpu backend through Dawn), or a tfjs backend name (wasm, cpu). */
export async function benchSpectrogramEpoch(backendOrDawn: string, hours: number): Promise<void> {
  const device = backendOrDawn.endsWith('.node')
    ? await activateWebgpuFromDawn(backendOrDawn)
    : (await chooseBackend(backendOrDawn)).backend;
  const recording = generatedRecording(hours);
  const modelDir = await mkdtemp(path.join(os.tmpdir(), 'promethium-spectrogram-epoch-'));
  const epochs: SpectrogramEpoch[] = [];
  const started = performance.now();
  try {
    const { model } = await trainSpectrogramAutoencoder(recording, await readModelConfigFile(CONFIG), {
      epochs: 2,
      batchSize: 16,
      learningRate: 1e-3,
      validationFraction: 0.2,
      seed: 1,
      modelDir,
      resume: false,
      onEpoch: (epoch) => {
        epochs.push(epoch);
        console.log(`EPOCH ${epoch.epoch}: ${epoch.seconds.toFixed(1)} s, train MSE ${epoch.trainLoss.toFixed(4)}`);
      },
    });
    model.dispose();
  } finally {
    await rm(modelDir, { recursive: true, force: true });
  }
  const totalSeconds = (performance.now() - started) / 1000;
  const result = {
    device,
    samplesPerComponent: recording.components[0]!.length,
    epochSeconds: epochs.map((epoch) => Number(epoch.seconds.toFixed(1))),
    // Spectrograms, windows and normalisation before the first epoch, the normal levels after the last.
    outsideEpochsSeconds: Number((totalSeconds - epochs.reduce((sum, e) => sum + e.seconds, 0)).toFixed(1)),
  };
  console.log(`SPECTROGRAM_EPOCH ${JSON.stringify(result)}`);
}
