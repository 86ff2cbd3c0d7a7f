/**
 * `promethium detect` and `promethium train --task spectrogram`: the spectrogram autoencoder on a station's miniSEED
 * recording. `detect FILE` trains on the record itself and ranks its windows by anomaly score; `train --task
 * spectrogram --data FILE --out DIR` keeps the trained detector in DIR, and `detect --model DIR FILE` scores a
 * recording with it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { chooseBackend } from '../ml/backends';
import { resolveModelConfig } from '../ml/configCatalog';
import { buildRecordingCache, RecordingCache } from '../passive/recordingCache';
import { filesUnder } from '../passive/recordingFiles';
import { detectWithModel, trainAndDetect, type DetectionReport } from '../passive/anomaly/detection';
import { StationSelectionError, stationRecording, type StationRecording } from '../passive/anomaly/stationRecording';
import { DetectorFolderError, type SpectrogramEpoch } from '../passive/anomaly/detectorFolder';
import { RecordingTooShortError } from '../passive/anomaly/spectrogramWindows';
import {
  SPECTROGRAM_TRAINING_DEFAULTS,
  SpectrogramTrainingError,
  spectrogramConfigPath,
  trainSpectrogramAutoencoder,
  type SpectrogramTrainingOptions,
} from '../passive/anomaly/training';
import { EXIT } from './exitCodes';
import { NotMseedError } from './mseedCommands';
import { UsageError } from './usageError';

export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('a positive whole number is required');
  return number;
}

/**
 * The station's components from a file or every file of a folder. The files go through a recording cache (in a
 * temporary folder), which joins a channel that continues from one file to the next (day files).
 */
export async function readStation(target: string, station?: string): Promise<StationRecording> {
  const files = await filesUnder(target);
  const work = await mkdtemp(path.join(os.tmpdir(), 'promethium-station-'));
  try {
    const index = await buildRecordingCache(files, path.join(work, 'cache'));
    if (index.channels.length === 0) throw new NotMseedError(`${target}: no miniSEED channel found`);
    const cache = await RecordingCache.open(path.join(work, 'cache'));
    const sourceIds = [...new Set(index.channels.map((channel) => channel.sourceId))];
    const channels = await Promise.all(
      sourceIds.map(async (sourceId) => ({ sourceId, segments: await cache.readChannel(sourceId) })),
    );
    return await asBadInput(Promise.resolve().then(() => stationRecording(channels, station)));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface DetectCliOptions {
  station?: string;
  model?: string;
  epochs: number;
  top: number;
  json?: boolean;
}

export function registerDetectCommand(program: Command): void {
  program
    .command('detect')
    .description(
      "rank the windows of a station's recording by anomaly score (spectrogram autoencoder reconstruction error in " +
        'robust standard deviations above normal): trained on the record itself, or a detector from train --task spectrogram',
    )
    .argument('<path>', 'a miniSEED file, or a folder of them (the three components of one station)')
    .option('--station <NET.STA.LOC>', 'the station, when the files hold several')
    .option('--model <dir>', 'a detector folder written by `promethium train --task spectrogram`')
    .option(
      '--epochs <n>',
      'training epochs on the record (without --model)',
      positiveInteger,
      SPECTROGRAM_TRAINING_DEFAULTS.epochs,
    )
    .option('--top <n>', 'windows to list', positiveInteger, 10)
    .option('--json', 'print JSON (every window, highest score first)')
    .action(async (target: string, options: DetectCliOptions) => runDetect(target, options));
}

/** Errors of the recording or the detector folder the user gave: exit code 3, like any unusable input. */
export function asBadInput<T>(work: Promise<T>): Promise<T> {
  return work.catch((error: unknown) => {
    const userInput = [StationSelectionError, RecordingTooShortError, SpectrogramTrainingError, DetectorFolderError];
    if (userInput.some((kind) => error instanceof kind))
      throw Object.assign(error as Error, { exitCode: EXIT.badInput });
    throw error;
  });
}

async function runDetect(target: string, options: DetectCliOptions): Promise<void> {
  const recording = await readStation(target, options.station);
  await chooseBackend();
  let report: DetectionReport;
  if (options.model) {
    report = await asBadInput(detectWithModel(recording, options.model));
  } else {
    const modelDir = await mkdtemp(path.join(os.tmpdir(), 'promethium-detect-'));
    try {
      const config = await resolveModelConfig(spectrogramConfigPath());
      report = await asBadInput(
        trainAndDetect(recording, config, {
          ...SPECTROGRAM_TRAINING_DEFAULTS,
          epochs: options.epochs,
          modelDir,
          resume: false,
        }),
      );
    } finally {
      await rm(modelDir, { recursive: true, force: true });
    }
  }
  console.log(options.json ? JSON.stringify(report, null, 2) : describeDetection(report, options.top));
}

function describeDetection(report: DetectionReport, top: number): string {
  const { detector } = report;
  const perComponent = (values: number[]) =>
    report.channels.map((name, c) => `${name.split('.').at(-1)} ${values[c]?.toFixed(3)}`).join(', ');
  const lines = [
    `station:    ${report.station} (${report.channels.join(', ')}), ${report.sampleRate} Hz, from ${report.recordingStartUtc}`,
    `windows:    ${report.ranked.length} of ${(report.ranked[0]!.endSeconds - report.ranked[0]!.startSeconds).toFixed(0)} s ` +
      `(STFT ${detector.settings.nperseg}/${detector.settings.noverlap}/${detector.settings.nfft}, ` +
      `${detector.settings.frames} frames every ${detector.settings.hopFrames})`,
    `detector:   ${detector.epoch} epochs; validation MSE ${perComponent(detector.valMse)}; MAE ${perComponent(detector.valMae)}`,
    '',
    'rank  score    window (UTC)',
  ];
  report.ranked.slice(0, top).forEach((window, rank) => {
    lines.push(
      `${String(rank + 1).padStart(4)}  ${window.score.toFixed(2).padStart(6)}   ${window.startUtc} to ${window.endUtc}`,
    );
  });
  return lines.join('\n');
}

export interface SpectrogramTrainCliOptions {
  data: string[];
  out: string;
  config: string;
  epochs: number;
  batch: number;
  learningRate: number;
  resume?: boolean;
  station?: string;
  json?: boolean;
}

/** `promethium train --task spectrogram`: the detector folder is --out (a folder, not a project model). */
export async function runSpectrogramTraining(options: SpectrogramTrainCliOptions): Promise<void> {
  const [data, ...more] = options.data;
  if (data === undefined || more.length > 0) {
    throw new UsageError('--task spectrogram trains on one recording: give --data FILE_OR_FOLDER once');
  }
  const recording = await readStation(data, options.station);
  const report = await chooseBackend();
  const training: SpectrogramTrainingOptions = {
    ...SPECTROGRAM_TRAINING_DEFAULTS,
    epochs: options.epochs,
    batchSize: options.batch,
    learningRate: options.learningRate,
    modelDir: options.out,
    resume: Boolean(options.resume),
    onEpoch: options.json ? undefined : (epoch: SpectrogramEpoch) => console.log(describeEpoch(epoch)),
  };
  const config = await resolveModelConfig(options.config);
  const { model, state } = await asBadInput(trainSpectrogramAutoencoder(recording, config, training));
  model.dispose();
  if (options.json) console.log(JSON.stringify({ modelDir: options.out, backend: report.backend, ...state }, null, 2));
  else console.log(`trained the detector of ${state.station} in ${options.out} (${report.backend})`);
}

function describeEpoch(epoch: SpectrogramEpoch): string {
  return (
    `epoch ${epoch.epoch}: train MSE ${epoch.trainLoss.toFixed(4)}, validation MSE ${epoch.valLoss.toFixed(4)} ` +
    `(${epoch.valMse.map((v) => v.toFixed(3)).join(' / ')}), MAE ${epoch.valMae.map((v) => v.toFixed(3)).join(' / ')}, ` +
    `${epoch.seconds.toFixed(1)} s`
  );
}
