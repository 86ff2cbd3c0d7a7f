/**
 * `npm run bench -- passive-denoise`: spectrogram denoising on the real records of ../shared/testdata/mseed, with noise
 * of known level added, against the classical baselines in the same run.
 *
 * Each record's components (mean removed) are the reference. Noise is added (seeded): steady white Gaussian noise as
 * strong as the record (SNR 0 dB), or a noise burst (white noise under a Hann envelope over a tenth of the record,
 * peaking at 10 times the record's RMS). SNR is 10 log10(energy of the reference / energy of the difference) over all
 * components together, before and after each method:
 * - bandpass: the zero-phase Ormsby filter (processing/bandpass.ts) on the record's band, chosen before measuring
 *   (listed in the table);
 * - spectral subtraction (denoise/spectralSubtraction.ts), the STFT settings of the autoencoder;
 * - the autoencoder's mask (denoise/spectrogramDenoising.ts), the model trained on the noisy record itself (seeded, the
 *   settings of `promethium mseed denoise` without --model) on the wasm backend; the training time is listed;
 * - the same mask from a model trained on the record before the noise was added (`mseed denoise --model` with a
 *   detector of a quiet recording): an upper bound rather than a fair test, since that model has seen the reference.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chooseBackend } from '../../main/ml/backends';
import { readModelConfigFile } from '../../main/ml/modelConfig';
import { stationRecording, type StationRecording } from '../../main/passive/anomaly/stationRecording';
import { windowSettingsFor } from '../../main/passive/anomaly/spectrogramWindows';
import { spectralSubtraction } from '../../main/passive/denoise/spectralSubtraction';
import { denoiseRecording, trainAndDenoise } from '../../main/passive/denoise/spectrogramDenoising';
import { trainSpectrogramAutoencoder, type TrainedDetector } from '../../main/passive/anomaly/training';
import { readMseedFile } from '../../main/passive/mseed';
import { bandpass } from '../../main/processing/bandpass';
import { signalToNoiseDb } from '../../main/signal/metrics';
import { deriveSeed, gaussian, seededRandom } from '../../main/signal/random';
import { istft, stft } from '../../main/signal/stft';
import { testdataPath } from '../testdata';
import { noiseDay } from './mseed';

interface RecordCase {
  file: string;
  /** Ormsby corners, Hz: the band of the record's signal, chosen from what the station records. */
  band: [number, number, number, number];
  why: string;
}

const RECORDS: RecordCase[] = [
  {
    file: 'testdata-3channel-signal.mseed2',
    band: [0.003, 0.005, 0.1, 0.15],
    why: 'teleseismic body and surface waves at 1 sps',
  },
  { file: 'test.mseed', band: [0.05, 0.1, 2, 4], why: 'ambient noise, microseism band' },
];

/** The settings of `promethium mseed denoise` without --model (main/cli/denoiseRecordingCommand.ts). */
const TRAINING = { epochs: 20, batchSize: 16, learningRate: 1e-3, validationFraction: 0.2, seed: 1 };

interface Scenario {
  name: string;
  noise: (length: number, rms: number, seed: number) => Float32Array;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'white noise, SNR 0 dB',
    noise: (length, rms, seed) => {
      const normal = gaussian(seededRandom(seed));
      return Float32Array.from({ length }, () => rms * normal());
    },
  },
  {
    name: 'burst: a tenth of the record at 35-45 %, peak 10x RMS',
    noise: (length, rms, seed) => {
      const normal = gaussian(seededRandom(seed));
      const start = Math.round(0.35 * length);
      const span = Math.round(0.1 * length);
      return Float32Array.from({ length }, (_, n) => {
        const inside = n >= start && n < start + span;
        const envelope = inside ? Math.sin((Math.PI * (n - start)) / span) ** 2 : 0;
        return 10 * rms * envelope * normal();
      });
    },
  },
];

function demeaned(samples: Float32Array): Float32Array {
  const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;
  return samples.map((x) => x - mean);
}

function rmsOf(samples: Float32Array): number {
  return Math.sqrt(samples.reduce((sum, x) => sum + x * x, 0) / samples.length);
}

function joined(components: readonly Float32Array[]): Float32Array {
  const all = new Float32Array(components.reduce((n, c) => n + c.length, 0));
  components.reduce((at, c) => (all.set(c, at), at + c.length), 0);
  return all;
}

function snrDb(clean: readonly Float32Array[], processed: readonly Float32Array[]): string {
  return signalToNoiseDb(joined(clean), joined(processed)).toFixed(1);
}

const CONFIG = path.join('resources', 'configs', 'passive', 'spectrogram_autoencoder.yaml');

async function benchScenario(
  record: RecordCase,
  recording: StationRecording,
  cleanDetector: TrainedDetector,
  scenario: Scenario,
  s: number,
) {
  const clean = recording.components.map(demeaned);
  const noisy = clean.map((samples, c) => {
    const noise = scenario.noise(samples.length, rmsOf(samples), deriveSeed(17, s, c));
    return samples.map((x, n) => x + noise[n]!);
  });
  const rate = recording.sampleRate;
  const shape = (samples: Float32Array) => ({ traces: 1, samples: samples.length });
  const bandpassed = noisy.map((x) => bandpass(x, shape(x), { corners: record.band, dt: 1 / rate }));
  const { nperseg, noverlap, nfft } = windowSettingsFor(rate);
  const subtracted = noisy.map((x) => spectralSubtraction(x, { nperseg, noverlap, nfft }));
  const config = await readModelConfigFile(CONFIG);
  const upperBound = await denoiseRecording(cleanDetector.model, cleanDetector.state, {
    ...recording,
    components: noisy,
  });
  const modelDir = await mkdtemp(path.join(os.tmpdir(), 'promethium-bench-denoise-'));
  try {
    const started = performance.now();
    const denoised = await trainAndDenoise({ ...recording, components: noisy }, config, {
      ...TRAINING,
      modelDir,
      resume: false,
    });
    const seconds = (performance.now() - started) / 1000;
    const mse = denoised.reconstruction.components.map((c) => c.mse.toFixed(1)).join(' / ');
    return (
      `| ${recording.station} (${recording.channels.length} x ${rate} Hz, ${clean[0]!.length} samples) | ` +
      `${scenario.name} | ${snrDb(clean, noisy)} | ${snrDb(clean, bandpassed)} | ${snrDb(clean, subtracted)} | ` +
      `**${snrDb(clean, denoised.components)}** | ${seconds.toFixed(0)} s | ${mse} | ${snrDb(clean, upperBound.components)} |`
    );
  } finally {
    await rm(modelDir, { recursive: true, force: true });
  }
}

/** CPU seconds of the STFT and of its inverse over a generated day of one 100 Hz channel (the seed's settings). */
function timeStftOfADay(): { forward: number; inverse: number } {
  const day = Float64Array.from(noiseDay());
  const cpuSeconds = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1e6;
  };
  const started = process.cpuUsage();
  const transform = stft(day, { nperseg: 256, noverlap: 192, nfft: 256 });
  const forward = cpuSeconds(started);
  const inverseStarted = process.cpuUsage();
  istft(transform);
  return { forward, inverse: cpuSeconds(inverseStarted) };
}

export async function benchPassiveDenoise(): Promise<string> {
  const day = timeStftOfADay();
  const backend = await chooseBackend('wasm');
  const rows: string[] = [];
  const bands: string[] = [];
  for (const record of RECORDS) {
    const file = testdataPath('mseed', record.file);
    if (!existsSync(file)) {
      rows.push(`| ${record.file} | missing from ../shared/testdata/mseed: not measured | | | | | | | |`);
      continue;
    }
    const recording = stationRecording((await readMseedFile(file)).channels);
    bands.push(`${recording.station}: ${record.band.join('-')} Hz (${record.why})`);
    const cleanDir = await mkdtemp(path.join(os.tmpdir(), 'promethium-bench-denoise-clean-'));
    const cleanDetector = await trainSpectrogramAutoencoder(
      { ...recording, components: recording.components.map(demeaned) },
      await readModelConfigFile(CONFIG),
      { ...TRAINING, modelDir: cleanDir, resume: false },
    );
    try {
      for (const [s, scenario] of SCENARIOS.entries()) {
        rows.push(await benchScenario(record, recording, cleanDetector, scenario, s));
        console.log(rows.at(-1));
      }
    } finally {
      cleanDetector.model.dispose();
      await rm(cleanDir, { recursive: true, force: true });
    }
  }
  return [
    'SNR in dB against the record before noise was added (all components together); higher is better.',
    '',
    '| record | noise added | noisy | bandpass | spectral subtraction | autoencoder mask | training + denoising | ' +
      'reconstruction MSE per component (dB^2) | mask, model trained on the reference (upper bound) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Bandpass corners (Ormsby): ${bands.join('; ')}. The autoencoder: ${TRAINING.epochs} epochs (seed ${TRAINING.seed}) on the ` +
      `noisy record alone, ${backend.backend} backend, then its mask (min(1, 10^((R - Y)/10)), R the reconstruction, ` +
      'Y the input, dB).',
    '',
    'The mask keeps what the model expects of the recording and scales down power it does not expect; it removes no ' +
      'power the model has learnt as normal, so a steady noise floor present all along the record stays.',
    '',
    `STFT of a generated day of one 100 Hz channel (256/192/256, 135,001 frames): ${day.forward.toFixed(2)} s of CPU; ` +
      `its inverse (weighted overlap-add): ${day.inverse.toFixed(2)} s.`,
  ].join('\n');
}
