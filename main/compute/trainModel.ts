/** The 'train-model' job: training (or fine-tuning) on survey caches, with a checkpoint every epoch. */
import type { JobRequest } from '../../preload/contract';
import { parseModelConfig } from '../ml/modelConfig';
import { readModelCard } from '../ml/registry/modelFiles';
import { SurveyCachePatchSource } from '../ml/training/patchSource';
import { train, type TrainResult } from '../ml/training/trainer';
import type { JobContext } from './protocol';

type TrainRequest = Extract<JobRequest, { kind: 'train-model' }>;

export async function trainModel(request: TrainRequest, context: JobContext): Promise<TrainResult> {
  const sources = await Promise.all(request.sources.map((source) => SurveyCachePatchSource.open(source.cacheDir)));
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
      seed: 1,
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
      onProgress: (fraction, message) => {
        lastFraction = fraction;
        context.progress(fraction, message);
      },
      onEpoch: (metrics) =>
        context.progress(
          lastFraction,
          `epoch ${metrics.epoch}: loss ${metrics.trainLoss.toPrecision(3)}, validation SNR ${metrics.valSnrDb.toFixed(2)} dB`,
          metrics,
        ),
    },
  );
}
