import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../../ml/backends';
import { parseModelConfig } from '../../ml/modelConfig';
import { gaussian, seededRandom } from '../../signal/random';
import type { StationRecording } from '../anomaly/stationRecording';
import { windowSettingsFor } from '../anomaly/spectrogramWindows';
import { spectrogram } from '../spectrogram';
import {
  denoiseWithDetector,
  reconstructionMask,
  trainAndDenoise,
  type DenoisedRecording,
} from './spectrogramDenoising';
import { reconstructionWithDetector } from './spectrogramReconstruction';

const SECONDS = 1200;
const BURST = { from: 600, to: 680 };

/**
 * Three components at 1 sps of steady noise (1000 counts RMS, an offset of 20 000 counts), with a burst 20 times as
 * strong from 600 to 680 s on all three: something the recording does not usually hold.
 */
function recordingWithBurst(): StationRecording {
  const normal = gaussian(seededRandom(11));
  const sample = (n: number) => {
    const burst = n >= BURST.from && n < BURST.to ? 20 * Math.sin((Math.PI * (n - BURST.from)) / 80) ** 2 : 0;
    return 20_000 + 1000 * (1 + burst) * normal();
  };
  return {
    station: 'XX.TEST.00',
    channels: ['XX.TEST.00.LHE', 'XX.TEST.00.LHN', 'XX.TEST.00.LHZ'],
    sampleRate: 1,
    startNs: 0n,
    components: [0, 1, 2].map(() => Float32Array.from({ length: SECONDS }, (_, n) => sample(n))),
  };
}

const SMALL = parseModelConfig({ architecture: 'spectrogram_autoencoder', params: { features: [4, 8] } });

function energyDb(samples: Float32Array, from: number, to: number): number {
  let energy = 0;
  for (let n = from; n < to; n++) energy += (samples[n]! - 20_000) ** 2;
  return 10 * Math.log10(energy);
}

let dir: string;
let recording: StationRecording;
let denoised: DenoisedRecording;

beforeAll(async () => {
  await chooseBackend('wasm');
  dir = await mkdtemp(path.join(os.tmpdir(), 'promethium-denoise-'));
  recording = recordingWithBurst();
  const options = { epochs: 8, batchSize: 4, learningRate: 1e-3, validationFraction: 0.2, seed: 3 };
  denoised = await trainAndDenoise(recording, SMALL, { ...options, modelDir: dir, resume: false });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the reconstruction mask', () => {
  it('is a Wiener gain that only removes: 1 where the model expects as much or more, 10^(-d/10) d dB above', () => {
    const mask = reconstructionMask({
      channel: 'XX.TEST.00.LHZ',
      input: Float32Array.from([10, 10, 10, 30]),
      output: Float32Array.from([10, 14, 0, 10]),
      difference: new Float32Array(4),
      mse: 0,
      mae: 0,
    });
    expect(Array.from(mask)).toEqual([1, 1, expect.closeTo(0.1, 6), expect.closeTo(0.01, 6)]);
  });
});

describe('spectrogram reconstruction of a whole recording', () => {
  it('gives every frame of each component: the input is the spectrogram, the difference output - input', () => {
    const { times, frequencies, components } = denoised.reconstruction;
    const settings = windowSettingsFor(1);
    const reference = spectrogram(recording.components[1]!, { sampleRate: 1, ...settings, decibels: true });
    expect(times).toEqual(reference.times);
    expect(frequencies).toEqual(reference.frequencies);
    const component = components[1]!;
    expect(component.channel).toBe('XX.TEST.00.LHN');
    expect(component.input.length).toBe(reference.values.length);
    component.input.forEach((value, k) => expect(value).toBeCloseTo(reference.values[k]!, 3));
    component.difference.forEach((d, k) => expect(d).toBeCloseTo(component.output[k]! - component.input[k]!, 4));
    const squares = component.difference.reduce((sum, d) => sum + d * d, 0);
    expect(component.mse).toBeCloseTo(squares / component.difference.length, 3);
    expect(component.mae).toBeGreaterThan(0);
    expect(component.mae ** 2).toBeLessThanOrEqual(component.mse);
  });

  it('the saved detector gives the same reconstruction (what the app will show)', async () => {
    const again = await reconstructionWithDetector(recording, dir);
    expect(again.components.map((c) => c.mse)).toEqual(denoised.reconstruction.components.map((c) => c.mse));
  });
});

describe('spectrogram denoising', () => {
  it('takes the burst down far more than the steady noise, and keeps the offset and the length', () => {
    denoised.components.forEach((samples, c) => {
      const before = recording.components[c]!;
      expect(samples.length).toBe(before.length);
      const removedInBurst = energyDb(before, BURST.from, BURST.to) - energyDb(samples, BURST.from, BURST.to);
      const removedElsewhere = energyDb(before, 100, 500) - energyDb(samples, 100, 500);
      expect(removedInBurst).toBeGreaterThan(removedElsewhere + 6);
      expect(removedElsewhere).toBeGreaterThanOrEqual(0);
      // The 20 000-count offset is not filtered (the means differ by the little of the burst's average that went).
      const mean = (x: Float32Array) => x.reduce((sum, v) => sum + v, 0) / x.length;
      expect(Math.abs(mean(samples) - mean(before))).toBeLessThan(200);
    });
    expect(denoised.removedDb.every((db) => db > 0)).toBe(true);
    expect(denoised.epochs).toBe(8);
  });

  it('a saved detector denoises the same way; one trained at another rate is refused', async () => {
    const again = await denoiseWithDetector(recording, dir);
    expect(again.components[0]).toEqual(denoised.components[0]);
    const resampled = { ...recording, sampleRate: 2 };
    await expect(denoiseWithDetector(resampled, dir)).rejects.toThrow(/trained on .* at 1 Hz; this recording has/);
  });
});
