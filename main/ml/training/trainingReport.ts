/**
 * What a training run tells: progress messages while it runs (with the time its time box has used) and the model card
 * each saved model carries, with the epoch's metrics.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EpochMetrics, ModelCard } from '../../../preload/contract';
import { SCALE_PERCENTILE } from '../normalization';
import type { PatchSize } from '../tiling';
import type { TrainingState } from './checkpoint';
import type { TrainHooks, TrainOptions } from './trainOptions';

type BatchPhase = 'training batch' | 'validation batch';

/** The progress of one run, from its start: the messages and fractions reported, and the time its time box counts. */
export class TrainingProgress {
  private readonly started = performance.now();
  /** Training batches run so far, over all epochs (the progress of a time-boxed run). */
  private batchesTrained = 0;

  constructor(
    private readonly options: Pick<TrainOptions, 'epochs' | 'timeBudgetSeconds'>,
    private readonly onProgress: TrainHooks['onProgress'],
  ) {}

  /** Whether the time box, if any, is used up. */
  get outOfTime(): boolean {
    const budget = this.options.timeBudgetSeconds;
    return budget !== undefined && this.elapsedSeconds >= budget;
  }

  private get elapsedSeconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** Counts training batch `batch` (1-based) of `batches` and reports it. */
  batchTrained(epoch: number, batch: number, batches: number): void {
    this.batchesTrained++;
    this.report(epoch, batch, batches, 'training batch');
  }

  /** Reports validation batch `batch` (1-based) of `batches`; epoch 0 is the base model's validation. */
  batchValidated(epoch: number, batch: number, batches: number): void {
    this.report(epoch, batch, batches, 'validation batch');
  }

  /**
   * Progress is work done: training batches fill an epoch's share, validation batches report where training ended.
   * With a time box the time used counts too (a time-boxed run ends when the box does, whatever its epoch limit), and
   * the message says the time used and the batches trained rather than an epoch limit the run will not reach.
   */
  private report(epoch: number, batch: number, batches: number, phase: BatchPhase): void {
    const budget = this.options.timeBudgetSeconds;
    const elapsed = this.elapsedSeconds;
    const timeShare = budget === undefined ? 0 : Math.min(1, elapsed / budget);
    const timeBox = budget === undefined ? '' : ` (${Math.floor(elapsed)} s of the ${budget} s time box)`;
    if (epoch === 0) {
      this.onProgress?.(timeShare, `validating the base model: batch ${batch}/${batches}${timeBox}`);
      return;
    }
    const done = phase === 'training batch' ? batch / batches : 1;
    const epochShare = (epoch - 1 + done) / this.options.epochs;
    const message =
      budget === undefined
        ? `epoch ${epoch}/${this.options.epochs}: ${phase} ${batch}/${batches}`
        : `epoch ${epoch}: ${phase} ${batch}/${batches}, ${this.batchesTrained} batch${this.batchesTrained === 1 ? '' : 'es'} trained${timeBox}`;
    this.onProgress?.(Math.min(1, Math.max(epochShare, timeShare)), message);
  }
}

/** SNR in dB from summed energies, with metrics.signalToNoiseDb's conventions for zero noise or zero signal. */
export function snrDbFromEnergies(signal: number, noise: number): number {
  if (noise === 0) return Infinity;
  if (signal === 0) return -Infinity;
  return 10 * Math.log10(signal / noise);
}

/** Keeps only finite metrics: the card's schema takes numbers, and JSON turns Infinity into null. */
function finiteMetrics(metrics: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).filter(([, value]) => Number.isFinite(value)));
}

/** The card of a model saved during training; `note` goes before the caller's notes. */
export function trainingCard(
  options: TrainOptions,
  state: TrainingState,
  patch: PatchSize,
  metrics: EpochMetrics,
  note?: string,
): ModelCard {
  return {
    name: options.card?.name ?? `${state.config.architecture} ${options.task}`,
    architecture: state.config.architecture,
    task: options.task,
    config: {
      model: state.config,
      normalization: {
        method: state.patchScaling ? 'survey robust scale, then per patch' : 'survey robust scale',
        percentile: SCALE_PERCENTILE,
        sources: state.normalization,
        patchScaling: state.patchScaling === true,
      },
      training: {
        loss: options.loss,
        patch,
        batchSize: options.batchSize,
        learningRate: options.learningRate,
        weightDecay: options.weightDecay,
        validationFraction: options.validationFraction,
        corruption: state.corruption,
        batchNorm: options.freezeBatchNorm ? 'frozen' : 'trained',
        initialModel: options.initialModelDir ?? null,
      },
    },
    training: {
      data: state.normalization.map((entry) => entry.source).join(', '),
      seed: options.seed,
      epochs: state.epoch,
      command: options.card?.command ?? null,
      durationSeconds: Math.round(state.trainingSeconds),
      hardware: options.card?.hardware ?? null,
      backend: tf.getBackend(),
    },
    metrics: finiteMetrics({
      epoch: metrics.epoch,
      trainLoss: metrics.trainLoss,
      valLoss: metrics.valLoss,
      valSnrDb: metrics.valSnrDb,
    }),
    parentId: options.card?.parentId ?? null,
    createdAt: new Date().toISOString(),
    notes: [note, options.card?.notes].filter(Boolean).join('\n'),
  };
}
