/** The training run of trainer.kill.test.ts, shared by the test and the child process it kills. */
import { parseModelConfig } from '../modelConfig';
import { LayeredVolume } from '../../synth/layeredVolume';
import { InMemoryPatchSource } from './patchSource';
import type { TrainOptions } from './trainOptions';

const SHAPE = { traces: 32, samples: 32 };

/** 4 lines of one 32 x 32 patch each: 3 training patches (2 batches of 2 per epoch), 1 for validation. */
export function killTestSources(): InMemoryPatchSource[] {
  const volume = new LayeredVolume({ inlines: 4, crosslines: SHAPE.traces, samples: SHAPE.samples, seed: 4 });
  return [
    new InMemoryPatchSource(
      'layered',
      Array.from({ length: 4 }, (_, i) => ({ data: volume.inline(i), shape: SHAPE })),
    ),
  ];
}

export function killTestOptions(checkpointDir: string, epochs: number): TrainOptions {
  return {
    config: parseModelConfig({ architecture: 'unet', params: { features: [4], bottleneck: 4, dropout: 0 } }),
    task: 'denoise',
    loss: 'mse',
    epochs,
    batchSize: 2,
    patch: 32,
    stride: 32,
    learningRate: 1e-3,
    weightDecay: 1e-4,
    validationFraction: 0.25,
    seed: 9,
    plateau: { factor: 0.5, patience: 1000 },
    earlyStopping: { patience: 1000 },
    checkpointDir,
    resume: false,
  };
}
