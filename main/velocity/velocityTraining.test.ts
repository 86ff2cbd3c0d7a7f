import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../ml/backends';
import { parseModelCard } from '../ml/registry/modelCardSchema';
import { seededRandom } from '../signal/random';
import { rickerSourceWavelet } from '../wave/rickerSource';
import { DifferentiableModeller } from '../wave/differentiableModeller';
import { loadVelocityEnsemble } from './velocityEnsemble';
import { SEED_LOSS_WEIGHTS } from './velocityLoss';
import { smallEnsembleConfig } from './smallEnsembles';
import { trainVelocityEnsemble, type VelocitySamples, type VelocityTrainOptions } from './velocityTraining';

const scratch = mkdtempSync(path.join(tmpdir(), 'velocity-training-'));
const SIDE = 20;
const STEPS = 150;
const SHOT_COLUMNS = [0, 17];

/** A small ensemble on a 20 x 20 map (10 m), two shots of 150 ms recorded by 20 receivers. */
const config = smallEnsembleConfig({ samples: STEPS, receivers: SIDE, shots: 2, timeStride: 3, side: SIDE });

/**
 * Two-layer maps (the interface depth and both velocities drawn from the seed) and their shots, modelled by the
 * differentiable modeller with a wide border: samples the physics term can match.
 */
function twoLayerSamples(count: number, seed: number): VelocitySamples {
  const random = seededRandom(seed);
  const modeller = new DifferentiableModeller({
    nx: SIDE,
    nz: SIDE,
    spacingM: 10,
    stepS: 1e-3,
    steps: STEPS,
    borderCells: 30,
    wavelet: rickerSourceWavelet(15, STEPS, 1e-3),
    minVelocity: 1500,
    maxVelocity: 4500,
    receiverRow: 1,
  });
  const samples = Array.from({ length: count }, () => {
    const depth = 6 + Math.floor(random() * 10);
    const [upper, lower] = [1800 + random() * 800, 2800 + random() * 1200];
    const velocity = Float32Array.from({ length: SIDE * SIDE }, (_, k) =>
      Math.floor(k / SIDE) < depth ? upper : lower,
    );
    const shots = tf.tidy(() =>
      tf.stack(
        SHOT_COLUMNS.map((x) => tf.squeeze(modeller.shoot(tf.tensor3d(velocity, [1, SIDE, SIDE]), { x, z: 1 }), [0])),
      ),
    );
    const values = shots.dataSync() as Float32Array;
    shots.dispose();
    return { shots: Float32Array.from(values), velocity };
  });
  modeller.dispose();
  return { count, read: (index) => samples[index]! };
}

function options(checkpointDir: string, epochs: number, resume: boolean): VelocityTrainOptions {
  return {
    epochs,
    batchSize: 4,
    learningRate: 3e-3,
    weightDecay: 0.01,
    firstCycleSteps: 4,
    maxGradientNorm: 1,
    weights: SEED_LOSS_WEIGHTS,
    physics: { samples: 1, shots: [0], steps: 100, borderCells: 10 },
    seed: 5,
    checkpointDir,
    resume,
    provenance: { data: 'two-layer test maps', command: null, hardware: null },
  };
}

beforeAll(async () => {
  await chooseBackend('wasm');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('velocity training', () => {
  it('lowers the loss and the validation MAPE, writes best/ and last/, and resumes where it stopped', async () => {
    const training = twoLayerSamples(8, 1);
    const validation = twoLayerSamples(4, 2);
    const dir = path.join(scratch, 'run');
    const first = await trainVelocityEnsemble(config, training, validation, options(dir, 3, false));
    expect(first.history.map((e) => e.epoch)).toEqual([1, 2, 3]);
    const [start, , end] = first.history;
    expect(end!.trainLoss).toBeLessThan(start!.trainLoss);
    expect(end!.physicsSecondsPerStep).toBeGreaterThan(0);
    const resumed = await trainVelocityEnsemble(config, training, validation, options(dir, 4, true));
    expect(resumed.history.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(resumed.history.slice(0, 3)).toEqual(first.history);
    const best = Math.min(...resumed.history.map((e) => e.valMape));
    expect(best).toBeLessThan(resumed.history[0]!.valMape);
    const { model, params } = await loadVelocityEnsemble(first.bestModelDir);
    expect(params).toEqual(config.params);
    model.dispose();
    // The checkpoint's card is a complete model card: the registry takes the folder as a velocity model.
    const card = parseModelCard(readFileSync(path.join(first.bestModelDir, 'card.json')));
    expect([card.task, card.training.data, card.training.backend]).toEqual(['velocity', 'two-layer test maps', 'wasm']);
    expect(card.training.epochs).toBeGreaterThanOrEqual(1);
  }, 600_000);
});
