/**
 * `npm run bench -- cluster` (also `cluster training` alone): small trainings locally and as Slurm array jobs (one
 * task per model, then the job that registers them) on a real single-host Slurm (the tests' one: Debian's daemons,
 * started here as root), alternating runs: one model (the fixed cost a task adds to the same training) and an
 * ensemble of one model per core (local trainings one after the other, the tasks side by side).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import type { ClusterTrainingStatus } from '../../preload/contract';
import { waitForFinish, withSlurmBench } from './cluster';
import { median } from './stats';

const CUBE = { inlines: 10, crosslines: 48, samples: 96 };
/** The integration test's tiny autoencoder, on 16 x 16 patches (wasm, one core a training). */
const CONFIG = 'model:\n  architecture: autoencoder\n  params: { features: [4, 8], bottleneck: 8 }\n';
const EPOCHS = 8;
const RUNS = 3;

interface Timing {
  /** One training locally, and the same as a Slurm array of one task plus the registering job. */
  localOne: number;
  clusterOne: number;
  /** `models` trainings locally one after the other, and as one array job of `models` tasks. */
  localAll: number;
  clusterAll: number;
  submit: number;
}

export function benchClusterTraining(): Promise<string> {
  return withSlurmBench(CUBE, [], async ({ slurm, home, project, cli, segy }) => {
    const models = slurm.cores;
    const config = path.join(home, 'tiny.yaml');
    writeFileSync(config, CONFIG);
    cli(['import', segy, '--project', project]);
    const train = (out: string, extra: string[]): string =>
      cli([
        'train',
        ...['--task', 'denoise', '--data', segy, '--out', out, '--config', config, '--project', project],
        ...['--epochs', String(EPOCHS), '--patch', '16', '--batch', '8', '--json', ...extra],
      ]);
    const seconds = (since: number): number => (performance.now() - since) / 1000;
    /** Submits an ensemble and waits for its registering job; returns the wall time and the submission's. */
    const onCluster = async (out: string, size: number): Promise<{ wall: number; submit: number }> => {
      const started = performance.now();
      const { trainingId, finish } = JSON.parse(
        train(out, ['--slurm', '--ensemble', String(size)]),
      ) as ClusterTrainingStatus;
      const submit = seconds(started);
      await waitForFinish(finish.slurmId, path.join(project, 'cluster', trainingId, 'logs', 'register.log'));
      return { wall: seconds(started), submit };
    };
    const timings: Timing[] = [];
    const loads: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      loads.push(loadavg()[0]!);
      const started = performance.now();
      train(`local ${run}.1`, ['--seed', '1']);
      const localOne = seconds(started);
      for (let seed = 2; seed <= models; seed++) train(`local ${run}.${seed}`, ['--seed', String(seed)]);
      const localAll = seconds(started);
      const one = await onCluster(`single ${run}`, 1);
      const all = await onCluster(`ensemble ${run}`, models);
      timings.push({ localOne, clusterOne: one.wall, localAll, clusterAll: all.wall, submit: all.submit });
      console.log(`run ${run + 1}: ${JSON.stringify(timings.at(-1))}`);
    }
    const [localOne, clusterOne, localAll, clusterAll, submit] = (
      ['localOne', 'clusterOne', 'localAll', 'clusterAll', 'submit'] as const
    ).map((key) => median(timings.map((t) => t[key]))) as [number, number, number, number, number];
    return [
      `Small denoisers (autoencoder 4-8, ${EPOCHS} epochs of 16 x 16 patches from a ${CUBE.inlines} x ` +
        `${CUBE.crosslines} x ${CUBE.samples} cube, wasm, one core a training), medians of ${RUNS} alternating runs, ` +
        `${cpus().length} cores, load average ${median(loads).toFixed(0)} at the start of a run (a shared machine):`,
      '',
      '| trainings | local | Slurm array job + registering job | Slurm / local |',
      '| --- | --- | --- | --- |',
      `| 1 model | ${localOne.toFixed(1)} s | ${clusterOne.toFixed(1)} s (1 task) | **${(clusterOne / localOne).toFixed(2)}x** |`,
      `| ensemble of ${models} | ${localAll.toFixed(1)} s (one after the other) | ${clusterAll.toFixed(1)} s ` +
        `(${models} tasks at once) | **${(clusterAll / localAll).toFixed(2)}x** |`,
      '',
      `${overhead(clusterOne - localOne, loads)} The fixed costs of a task: the submission (${submit.toFixed(1)} s for ` +
        'the ensemble: planning, scripts, two sbatch calls), the scheduler starting the task and then the registering ' +
        'job, and a Promethium process and a compute process started for each. An ensemble runs its models side by ' +
        'side where local trainings take turns, so it finishes sooner than they do. On a real cluster a training runs ' +
        'for hours: these seconds, and the queue wait, are what the cluster adds to each model.',
    ].join('\n');
  });
}

/** What one task added to the same training, in words; on a loaded machine the difference can be noise of either sign. */
function overhead(seconds: number, loads: number[]): string {
  if (seconds > 0) return `The same training took ${seconds.toFixed(1)} s longer as one task than locally.`;
  return (
    `The same training took ${(-seconds).toFixed(1)} s less as one task than locally: on this shared machine ` +
    `(load average ${Math.min(...loads).toFixed(0)}-${Math.max(...loads).toFixed(0)} on ${cpus().length} cores) ` +
    'single runs vary by more than the fixed costs of a task.'
  );
}
