/**
 * `promethium mseed denoise IN OUT`: a station's recording through the spectrogram autoencoder's mask
 * (main/passive/denoise/spectrogramDenoising.ts), written as miniSEED. The detector is trained on the record itself,
 * or comes from `train --task spectrogram` (--model DIR, e.g. trained on a quiet day of the same station).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { chooseBackend } from '../ml/backends';
import { resolveModelConfig } from '../ml/configCatalog';
import type { StationRecording } from '../passive/anomaly/stationRecording';
import { denoiseWithDetector, trainAndDenoise, type DenoisedRecording } from '../passive/denoise/spectrogramDenoising';
import { formatNs, MseedWriteError, writeMseedFile } from '../passive/mseed';
import { SPECTROGRAM_TRAINING_DEFAULTS, spectrogramConfigPath } from '../passive/anomaly/training';
import { asBadInput, positiveInteger, readStation } from './detectCommand';
import { EXIT } from './exitCodes';
import { UsageError } from './usageError';

interface DenoiseCliOptions {
  station?: string;
  model?: string;
  epochs: number;
  format: 2 | 3;
  json?: boolean;
}

function formatVersion(value: string): 2 | 3 {
  if (value !== '2' && value !== '3') throw new InvalidArgumentError('2 or 3');
  return Number(value) as 2 | 3;
}

export function registerMseedDenoiseCommand(mseed: Command): void {
  mseed
    .command('denoise')
    .description(
      "denoise a station's recording with the spectrogram autoencoder: what the model cannot explain as the " +
        "recording's normal spectrogram (bursts, transients, interference) is scaled down in the STFT, the phase kept",
    )
    .argument('<in>', 'a miniSEED file, or a folder of them (the components of one station)')
    .argument('<out>', 'the denoised miniSEED file (float32 samples)')
    .option('--station <NET.STA.LOC>', 'the station, when the files hold several')
    .option(
      '--model <dir>',
      'a detector folder written by `promethium train --task spectrogram`, best trained on a quiet stretch of the station',
    )
    .option(
      '--epochs <n>',
      'training epochs on the record (without --model)',
      positiveInteger,
      SPECTROGRAM_TRAINING_DEFAULTS.epochs,
    )
    .option('--format <2|3>', 'miniSEED version to write', formatVersion, 2)
    .option('--json', 'print JSON')
    .action(async (input: string, output: string, options: DenoiseCliOptions) => runDenoise(input, output, options));
}

async function runDenoise(input: string, output: string, options: DenoiseCliOptions): Promise<void> {
  if (path.resolve(input) === path.resolve(output)) {
    throw new UsageError(`${output} is the input: write the denoised recording to a new file`);
  }
  const recording = await readStation(input, options.station);
  await chooseBackend();
  const denoised = await asBadInput(denoise(recording, options));
  await writeDenoised(output, recording, denoised, options.format);
  const summary = {
    out: output,
    station: recording.station,
    channels: recording.channels,
    sampleRate: recording.sampleRate,
    startUtc: formatNs(recording.startNs),
    detector: options.model ?? 'trained on the record itself',
    epochs: denoised.epochs,
    reconstruction: denoised.reconstruction.components.map(({ channel, mse, mae }) => ({ channel, mse, mae })),
    removedDb: denoised.removedDb,
  };
  console.log(options.json ? JSON.stringify(summary, null, 2) : describeDenoising(summary));
}

async function denoise(recording: StationRecording, options: DenoiseCliOptions): Promise<DenoisedRecording> {
  if (options.model) return denoiseWithDetector(recording, options.model);
  const modelDir = await mkdtemp(path.join(os.tmpdir(), 'promethium-denoise-'));
  try {
    const config = await resolveModelConfig(spectrogramConfigPath());
    return await trainAndDenoise(recording, config, {
      ...SPECTROGRAM_TRAINING_DEFAULTS,
      epochs: options.epochs,
      modelDir,
      resume: false,
    });
  } finally {
    await rm(modelDir, { recursive: true, force: true });
  }
}

async function writeDenoised(
  file: string,
  recording: StationRecording,
  denoised: DenoisedRecording,
  formatVersion: 2 | 3,
): Promise<void> {
  const channels = recording.channels.map((channel, c) => ({
    channel,
    startNs: recording.startNs,
    sampleRate: recording.sampleRate,
    samples: denoised.components[c]!,
  }));
  await writeMseedFile(file, channels, { formatVersion, encoding: 'float32' }).catch((error: unknown) => {
    // A station code too long for miniSEED 2's fixed header fields, for instance.
    if (error instanceof MseedWriteError) throw Object.assign(error, { exitCode: EXIT.badInput });
    throw error;
  });
}

function describeDenoising(summary: {
  out: string;
  station: string;
  channels: string[];
  sampleRate: number;
  startUtc: string;
  detector: string;
  epochs: number;
  reconstruction: Array<{ channel: string; mse: number; mae: number }>;
  removedDb: number[];
}): string {
  const code = (channel: string) => channel.split('.').at(-1);
  return [
    `station:        ${summary.station} (${summary.channels.join(', ')}), ${summary.sampleRate} Hz, from ${summary.startUtc}`,
    `detector:       ${summary.detector}, ${summary.epochs} epochs`,
    `reconstruction: ${summary.reconstruction.map((c) => `${code(c.channel)} MSE ${c.mse.toFixed(1)} dB^2, MAE ${c.mae.toFixed(2)} dB`).join('; ')}`,
    `removed:        ${summary.channels.map((channel, c) => `${code(channel)} ${summary.removedDb[c]!.toFixed(2)} dB`).join(', ')}`,
    `wrote ${summary.out} (float32)`,
  ].join('\n');
}
