/**
 * The PINN against its backbone alone (issue 18): the same small U-Net, initial weights, data, seed and steps, trained
 * on the wasm backend with and without the plane-wave destruction residual (physics weight 0.1), for interpolation
 * and for denoising. The figure is the trainer's validation SNR (held-out lines, fixed corruption), best epoch and last.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ModelTask } from '../../preload/contract';
import { chooseBackend } from '../../main/ml/backends';
import { postStackSections } from '../../main/ml/bundled/syntheticTraining';
import { parseModelConfig, type ModelConfig } from '../../main/ml/modelConfig';
import { train, type TrainResult } from '../../main/ml/training/trainer';
import { seededRandom } from '../../main/signal/random';

const DATA = { cubes: 3, inlinesPerCube: 8, crosslines: 128, samples: 128, sampleIntervalMs: 4 };
const EPOCHS = 6;
const BATCHES_PER_EPOCH = 20;

function backbone(task: ModelTask): Record<string, unknown> {
  const inChannels = task === 'interpolate' ? 2 : 1;
  return { in_channels: inChannels, features: [16, 32, 64], bottleneck: 128, variant: 'attention' };
}

/** tfjs draws initial weights from Math.random: seeded, both models start from the same weights. */
async function withSeededInitialisation<T>(work: () => Promise<T>): Promise<T> {
  const original = Math.random;
  Math.random = seededRandom(18);
  try {
    return await work();
  } finally {
    Math.random = original;
  }
}

async function trainOne(config: ModelConfig, task: ModelTask, dir: string): Promise<TrainResult> {
  const data = postStackSections(DATA, 18);
  return withSeededInitialisation(() =>
    train([data], {
      config,
      task,
      loss: 'mse',
      epochs: EPOCHS,
      batchSize: 8,
      patch: 64,
      learningRate: 2e-3,
      weightDecay: 1e-4,
      validationFraction: 0.25,
      seed: 18,
      plateau: { factor: 0.5, patience: 4 },
      earlyStopping: { patience: 10 },
      maxBatchesPerEpoch: BATCHES_PER_EPOCH,
      maxValidationBatches: 6,
      corruption: task === 'denoise' ? { snrDbRange: [-5, 10] } : { missingFractionRange: [0.3, 0.6] },
      checkpointDir: dir,
      resume: false,
    }),
  );
}

export async function benchPinn(): Promise<string> {
  await chooseBackend('wasm');
  const work = await mkdtemp(path.join(tmpdir(), 'promethium-pinn-'));
  const rows: string[] = [];
  try {
    for (const task of ['interpolate', 'denoise'] as const) {
      const configs = {
        'U-Net alone': parseModelConfig({ architecture: 'unet', params: backbone(task) }),
        'PINN (same U-Net + 0.1 x plane-wave residual)': parseModelConfig({
          architecture: 'pinn',
          params: { backbone_params: backbone(task), physics_weight: 0.1 },
        }),
      };
      for (const [name, config] of Object.entries(configs)) {
        const started = performance.now();
        const result = await trainOne(config, task, path.join(work, `${task}-${config.architecture}`));
        const snrs = result.history.map((epoch) => epoch.valSnrDb);
        const seconds = (performance.now() - started) / 1000;
        rows.push(
          `| ${task} | ${name} | ${Math.max(...snrs).toFixed(2)} | ${snrs.at(-1)!.toFixed(2)} | ${seconds.toFixed(0)} |`,
        );
        console.log(rows.at(-1));
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return [
    `Same data (${DATA.cubes} synthetic cubes x ${DATA.inlinesPerCube} inlines of ${DATA.crosslines} x ${DATA.samples}), ` +
      `seed, initial weights and steps (${EPOCHS} epochs x ${BATCHES_PER_EPOCH} batches of 8 64 x 64 patches), wasm. ` +
      'Interpolation: 30-60 % of the traces missing; denoising: -5..10 dB input SNR. One seed and 120 steps: how much ' +
      'another seed moves these figures is not measured here, and the seconds are wall time on a shared machine.',
    '',
    '| task | model | best validation SNR (dB) | last (dB) | seconds |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
