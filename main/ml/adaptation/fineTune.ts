/**
 * Fine-tuning a model on sections held in memory, for a wall-clock time box: the one way "adapt to this survey" runs
 * outside the app's job (the CLI's adapted interpolation, the quality benchmark). The settings are those of the app's
 * adapt job (workflows/trainingService.ts): AdamW at the bundled models' own rate with BatchNorm frozen, every
 * section trained on (no validation lines: a 2D line is one section), the model at the end of the time box kept.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ModelTask } from '../../../preload/contract';
import type { SectionShape } from '../../signal/metrics';
import { loadInferenceModel, type InferenceModel } from '../modelForInference';
import { parseModelConfig } from '../modelConfig';
import { writeModelFiles } from '../registry/modelFiles';
import { readTar } from '../registry/tarArchive';
import { InMemoryPatchSource } from '../training/patchSource';
import type { CorruptionOptions } from '../training/taskBatches';
import { train } from '../training/trainer';

export interface FineTuneSettings {
  /** Wall-clock seconds of training batches. */
  seconds: number;
  /** Training patch (square); inference keeps the base model's own patch. */
  patch: number;
  batchSize: number;
  learningRate: number;
}

/** Small patches: on a CPU a 64 x 64 batch of 8 takes a fraction of a second, so a short box still makes many steps. */
export const FINE_TUNE_DEFAULTS: Omit<FineTuneSettings, 'seconds'> = { patch: 64, batchSize: 8, learningRate: 2e-3 };

export interface FineTunedModel {
  /** The fine-tuned weights, run with the base model's patch. */
  model: InferenceModel;
  /** Training batches run within the time box. */
  steps: number;
  dispose(): Promise<void>;
}

export async function fineTuneOnSections(
  base: { dir: string; model: InferenceModel },
  task: ModelTask,
  sections: readonly { data: Float32Array; shape: SectionShape }[],
  settings: FineTuneSettings,
  corruption: Partial<CorruptionOptions>,
): Promise<FineTunedModel> {
  const checkpointDir = await mkdtemp(path.join(os.tmpdir(), 'promethium-adapt-'));
  try {
    // The trainer starts from a model folder: an archive (.pmodel) is unpacked next to the checkpoints.
    const baseDir = base.dir.endsWith('.pmodel') ? path.join(checkpointDir, 'base') : base.dir;
    if (baseDir !== base.dir) await writeModelFiles(baseDir, readTar(new Uint8Array(await readFile(base.dir))));
    let steps = 0;
    const result = await train(
      [new InMemoryPatchSource('this survey', sections)],
      {
        config: parseModelConfig(base.model.card.config, `${base.dir} model card`),
        task,
        loss: 'mse',
        epochs: 10_000,
        batchSize: settings.batchSize,
        patch: settings.patch,
        learningRate: settings.learningRate,
        weightDecay: 1e-4,
        validationFraction: 0,
        seed: 1,
        plateau: { factor: 0.5, patience: 10 },
        earlyStopping: { patience: 10_000 },
        timeBudgetSeconds: settings.seconds,
        checkpointDir,
        resume: false,
        initialModelDir: baseDir,
        freezeBatchNorm: true,
        corruption,
      },
      { onProgress: (_, message) => message.includes('training batch') && steps++ },
    );
    const adapted = await loadInferenceModel(result.lastCheckpointDir);
    return {
      model: { ...adapted, patch: base.model.patch },
      steps,
      dispose: async () => {
        adapted.model.dispose();
        await rm(checkpointDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(checkpointDir, { recursive: true, force: true });
    throw error;
  }
}
