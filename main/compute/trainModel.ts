/**
 * The 'train-model' job: training (or fine-tuning) on survey caches, with a checkpoint every epoch. A denoiser adapted
 * to its survey (recorrupted or blind-spot fine-tuning on its noisy data) is then compared with its base
 * (adaptChoice.ts), and the base kept unless the adapted model is better.
 */
import type { EpochMetrics, JobRequest } from '../../preload/contract';
import { compareAdaptedDenoiser, type AdaptComparison } from '../ml/adaptChoice';
import { parseModelConfig } from '../ml/modelConfig';
import { loadInferenceModel } from '../ml/modelForInference';
import { readModelCard } from '../ml/registry/modelFiles';
import { writeBestModel } from '../ml/training/checkpoint';
import type { GradientExchange } from '../ml/training/dataParallel';
import { estimateSourceScale, openSurveyPatchSource, type SurveyPatchSource } from '../ml/training/patchSource';
import { train, type TrainResult } from '../ml/training/trainer';
import type { JobContext } from './protocol';

type TrainRequest = Extract<JobRequest, { kind: 'train-model' }>;

export type TrainModelResult = TrainResult & { adaptComparison?: AdaptComparison };

/** The card note of an adapted denoiser that SURE found no better than its base. */
export const KEPT_BASE_SURE_NOTE =
  "adapting did not lower the estimated error (Stein's unbiased risk estimate at checked strength, on 8 lines of the survey); these are the base model's weights";

/** `exchange`: this process is one worker of a data-parallel training (compute/workers/spreadTraining.ts). */
export async function trainModel(
  request: TrainRequest,
  context: JobContext,
  exchange?: GradientExchange,
): Promise<TrainModelResult> {
  const sources = await Promise.all(request.sources.map(openSurveyPatchSource));
  try {
    const result = await trainOn(sources, request, context, exchange);
    // Worker 0 alone writes the model: the others' weights are the same.
    if (exchange !== undefined && exchange.rank !== 0) return result;
    const onNoisyData = request.corruption === 'blind-spot' || request.corruption === 'recorrupted';
    const adaptsDenoiser = request.task === 'denoise' && onNoisyData && request.initialModelDir !== undefined;
    if (!adaptsDenoiser || result.keptBase || sources.length !== 1) return result;
    context.progress(1, 'comparing the adapted model with the base model');
    return await keepBaseUnlessBetter(request.initialModelDir!, request.checkpointDir, sources[0]!, result);
  } finally {
    await Promise.all(sources.map((source) => source.close()));
  }
}

async function keepBaseUnlessBetter(
  baseDir: string,
  checkpointDir: string,
  source: SurveyPatchSource,
  result: TrainResult,
): Promise<TrainModelResult> {
  const base = await loadInferenceModel(baseDir);
  const adapted = await loadInferenceModel(result.bestModelDir);
  try {
    const scale = await estimateSourceScale(source);
    const comparison = await compareAdaptedDenoiser(base, adapted, source, () => scale, source.sampleIntervalS);
    if (!comparison.keepBase) return { ...result, adaptComparison: comparison };
    const notes = [KEPT_BASE_SURE_NOTE, adapted.card.notes].filter(Boolean).join('\n');
    await writeBestModel(checkpointDir, base.model, { ...adapted.card, notes });
    return { ...result, keptBase: true, adaptComparison: comparison };
  } finally {
    base.model.dispose();
    adapted.model.dispose();
  }
}

async function trainOn(
  sources: SurveyPatchSource[],
  request: TrainRequest,
  context: JobContext,
  exchange: GradientExchange | undefined,
): Promise<TrainResult> {
  // Fine-tuning keeps the base model's architecture, as its card records it.
  const config = request.initialModelDir
    ? parseModelConfig((await readModelCard(request.initialModelDir)).config, `${request.initialModelDir} model card`)
    : parseModelConfig(request.config, 'training config');
  let lastFraction = 0;
  return train(
    sources,
    {
      config,
      task: request.task,
      loss: 'mse',
      epochs: request.epochs,
      batchSize: request.batchSize,
      patch: request.patch,
      learningRate: request.learningRate,
      weightDecay: 1e-4,
      validationFraction: 0.2,
      seed: request.seed ?? 1,
      plateau: { factor: 0.5, patience: 10 },
      earlyStopping: { patience: 20 },
      timeBudgetSeconds: request.timeBudgetSeconds,
      corruption: { kind: request.corruption ?? 'synthetic' },
      checkpointDir: request.checkpointDir,
      resume: request.resume,
      initialModelDir: request.initialModelDir,
      // Fine-tuning (Adapt to this survey above all) keeps the base model's BatchNorm statistics: see TrainOptions.
      freezeBatchNorm: request.initialModelDir !== undefined,
      card: { name: request.name, parentId: request.parentId },
    },
    {
      signal: context.signal,
      exchange,
      onProgress: (fraction, message) => {
        lastFraction = fraction;
        context.progress(fraction, message);
      },
      onEpoch: (metrics) =>
        context.progress(
          lastFraction,
          `epoch ${metrics.epoch}: loss ${metrics.trainLoss.toPrecision(3)}${discriminatorNote(metrics)}, validation SNR ${metrics.valSnrDb.toFixed(2)} dB`,
          metrics,
        ),
    },
  );
}

/** A GAN's discriminator loss for the epoch's progress line; nothing for other models. */
function discriminatorNote({ discriminatorLoss }: EpochMetrics): string {
  return discriminatorLoss === undefined ? '' : ` (discriminator ${discriminatorLoss.toPrecision(3)})`;
}
