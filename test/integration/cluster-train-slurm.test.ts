/**
 * Training on a real single-host Slurm (Debian's slurmctld, slurmd and munge, started by the test): an ensemble of
 * three tiny models, one task per model, with one task's process killed after its first epoch (the batch script starts
 * it again and it resumes from its checkpoint). Each registered model's weights must be the bytes of a local training
 * with the same seed. A sweep file with a bad entry is refused before anything is submitted; a sweep runs; the API
 * trains, cancels and resumes as the app does.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterTrainingStatus } from '../../preload/contract';
import { createApiHandlers } from '../../main/api/handlers';
import { createDispatcher } from '../../main/api/dispatch';
import { dataRootsFence } from '../../main/api/pathFence';
import { clusterTestServices, slurmUnavailable, startTestSlurm, until, type TestSlurm } from '../support/slurmCluster';

const BIN = path.resolve('bin/promethium.cjs');
const unavailable = slurmUnavailable();
if (unavailable) console.warn(`[cluster-train-slurm] SKIPPED: no test Slurm here (${unavailable})`);

/** A tiny autoencoder on 16 x 16 patches: an epoch takes a second or two on one core (wasm). */
const TINY_CONFIG = 'model:\n  architecture: autoencoder\n  params: { features: [4, 8], bottleneck: 8 }\n';
const EPOCHS = 5;

let slurm: TestSlurm;
let home: string;
let project: string;
let segy: string;
let config: string;

function cli(args: string[]): string {
  return execFileSync(process.execPath, [BIN, ...args], { env: slurm.env, encoding: 'utf8' });
}

/** The CLI's training options of every training here, locally and on the cluster. */
function trainArgs(out: string, extra: string[]): string[] {
  const schedule = ['--epochs', String(EPOCHS), '--patch', '16', '--batch', '8'];
  return ['train', '--task', 'denoise', '--data', segy, '--out', out, '--config', config, ...schedule, ...extra];
}

function trainingStatus(trainingId: string): ClusterTrainingStatus {
  return JSON.parse(
    cli(['cluster', 'train-status', trainingId, '--project', project, '--json']),
  ) as ClusterTrainingStatus;
}

const ended = (status: ClusterTrainingStatus): boolean => ['done', 'failed', 'cancelled'].includes(status.finish.state);

/** The weights file of a registered model. */
const weights = (modelId: string): Buffer => readFileSync(path.join(project, 'models', modelId, 'weights.bin'));

function localTraining(seed: number): string {
  const out = JSON.parse(
    cli([...trainArgs(`local seed ${seed}`, ['--seed', String(seed)]), '--project', project, '--json']),
  );
  return (out as { modelId: string }).modelId;
}

describe.skipIf(unavailable !== null)('training on a Slurm cluster', () => {
  const local = new Map<number, string>();
  let surveyId: string;

  beforeAll(() => {
    slurm = startTestSlurm();
    home = mkdtempSync(path.join(tmpdir(), 'promethium-cluster-train-'));
    slurm.env.PROMETHIUM_HOME = home;
    project = path.join(home, 'project');
    segy = path.join(home, 'cube.sgy');
    config = path.join(home, 'tiny.yaml');
    writeFileSync(config, TINY_CONFIG);
    cli(['synth', '--out', segy, '--kind', 'cube', '--inlines', '10', '--crosslines', '48', '--samples', '96']);
    surveyId = (JSON.parse(cli(['import', segy, '--project', project, '--json'])) as { id: string }).id;
    for (const seed of [1, 2]) local.set(seed, localTraining(seed));
  }, 300_000);

  afterAll(() => slurm?.stop());

  it('trains an ensemble with one task killed mid-way: each model is the bytes of a local training of its seed', async () => {
    const submitted = JSON.parse(
      cli([...trainArgs('tiny', ['--slurm', '--ensemble', '3']), '--project', project, '--json']),
    ) as ClusterTrainingStatus;
    const { trainingId } = submitted;
    expect(submitted.tasks.map((task) => task.seed)).toEqual([1, 2, 3]);
    const victim = 1;
    const log = path.join(project, 'cluster', trainingId, 'logs', `model-${victim}.log`);
    // Kill the task's process once its first epoch is checkpointed: the batch script starts it again.
    await until('model 1 to finish an epoch', () =>
      existsSync(log) && /epoch 1:/.test(readFileSync(log, 'utf8')) ? true : undefined,
    );
    execFileSync('pkill', ['-9', '-f', `cluster train-task .*--training ${trainingId} --model ${victim}`]);
    const final = await until('the final job', () => {
      const status = trainingStatus(trainingId);
      return ended(status) ? status : undefined;
    });
    expect(final.finish.state, readFileSync(log, 'utf8')).toBe('done');
    expect(readFileSync(log, 'utf8')).toMatch(/attempt 1 on model 1 stopped/);
    expect(final.tasks.map((task) => [task.state, task.trained, task.epoch])).toEqual(
      Array(3).fill(['done', true, EPOCHS]),
    );

    const [first, second, third] = final.modelIds as [string, string, string];
    expect(weights(first).equals(weights(local.get(1)!))).toBe(true);
    expect(weights(second).equals(weights(local.get(2)!)), 'the killed and resumed model').toBe(true);
    expect(weights(third).equals(weights(first))).toBe(false);

    const services = clusterTestServices(slurm, home, project);
    try {
      const details = await services.models.get(second);
      expect(details.summary.name).toBe('tiny, member 2 of 3');
      expect(details.history.map((epoch) => epoch.epoch)).toEqual([1, 2, 3, 4, 5]);
      expect(details.card.training).toMatchObject({ seed: 2, epochs: EPOCHS });
    } finally {
      services.close();
    }
    const jobs = JSON.parse(cli(['jobs', '--project', project, '--json'])) as { trainings: ClusterTrainingStatus[] };
    expect(jobs.trainings.map((training) => training.trainingId)).toContain(trainingId);
    // The checkpoints went with the registration, as a local training's do.
    expect(existsSync(path.join(project, 'cluster', trainingId, 'model-0', 'checkpoint'))).toBe(false);
  }, 400_000);

  it('refuses a sweep file with a bad entry before submitting anything, and trains a good one', async () => {
    const before = (JSON.parse(cli(['jobs', '--project', project, '--json'])) as { trainings: unknown[] }).trainings;
    const bad = path.join(home, 'bad-sweep.yaml');
    writeFileSync(bad, '- { learningRate: 0.01 }\n- { learningRate: -1 }\n');
    const refused = (() => {
      try {
        cli([...trainArgs('sweep', ['--slurm', '--sweep', bad]), '--project', project]);
        return '';
      } catch (error) {
        return String((error as { stderr: string }).stderr);
      }
    })();
    expect(refused).toMatch(/bad-sweep.yaml: entry 2, field learningRate: /);
    const after = (JSON.parse(cli(['jobs', '--project', project, '--json'])) as { trainings: unknown[] }).trainings;
    expect(after).toHaveLength(before.length);

    const good = path.join(home, 'sweep.json');
    writeFileSync(
      good,
      JSON.stringify([
        { learningRate: 0.01, epochs: 1 },
        { name: 'tiny wide', epochs: 1, params: { features: [8, 8] } },
      ]),
    );
    const { trainingId } = JSON.parse(
      cli([...trainArgs('sweep', ['--slurm', '--sweep', good]), '--project', project, '--json']),
    ) as ClusterTrainingStatus;
    const final = await until('the sweep', () => {
      const status = trainingStatus(trainingId);
      return ended(status) ? status : undefined;
    });
    expect(final.finish.state).toBe('done');
    expect(final.kind).toBe('sweep');
    expect(final.tasks.map((task) => task.name)).toEqual(['sweep, configuration 1 of 2', 'tiny wide']);
    expect(final.modelIds).toHaveLength(2);
  }, 300_000);

  it('trains, cancels and resumes from the API as the app does', async () => {
    const services = clusterTestServices(slurm, home, project);
    const dispatch = createDispatcher(createApiHandlers(services), dataRootsFence([project, path.dirname(config)]));
    try {
      const input = {
        name: 'api ensemble',
        task: 'denoise',
        surveyIds: [surveyId],
        configFile: config,
        epochs: 3,
        patch: 16,
      };
      const submitted = await dispatch('cluster.train', [{ ...input, ensemble: 2 }]);
      expect(submitted.ok, JSON.stringify(submitted)).toBe(true);
      const { trainingId } = (submitted as { value: ClusterTrainingStatus }).value;
      const listed = async () => (await services.clusterTraining.list()).find((t) => t.trainingId === trainingId)!;
      await until('model 0 to run', async () => ((await listed()).tasks[0]!.state === 'running' ? true : undefined));
      expect(await dispatch('cluster.cancelTraining', [trainingId])).toMatchObject({ ok: true });
      await until('the training to stop', async () =>
        (await listed()).tasks.every((task) => task.state === 'cancelled') ? true : undefined,
      );
      expect(await dispatch('cluster.resumeTraining', [trainingId])).toMatchObject({ ok: true, value: [0, 1] });
      const final = await until('the resumed training', async () => {
        const status = await listed();
        return ended(status) ? status : undefined;
      });
      expect(final.finish.state).toBe('done');
      expect(final.modelIds).toHaveLength(2);
      expect((await services.models.list()).map((model) => model.name)).toContain('api ensemble, member 2 of 2');
    } finally {
      services.close();
    }
  }, 300_000);
});
