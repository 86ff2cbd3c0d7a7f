/**
 * `npm run bench -- cluster` (also `cluster training` alone): an ensemble of small trainings, locally one after the
 * other and as a Slurm array job (one task per model, then the job that registers them) on a real single-host Slurm
 * (the tests' one: Debian's daemons, started here as root), alternating runs. Reports the wall times, their ratio and
 * the fixed cost each task adds, which is what a long training pays on a real cluster.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import type { ClusterTrainingStatus } from '../../preload/contract';
import { slurmUnavailable, startTestSlurm } from '../support/slurmCluster';
import { waitForFinish } from './cluster';
import { median } from './stats';

const BIN = path.resolve('bin/promethium.cjs');
const CUBE = { inlines: 10, crosslines: 48, samples: 96 };
/** The integration test's tiny autoencoder, on 16 x 16 patches (wasm, one core a training). */
const CONFIG = 'model:\n  architecture: autoencoder\n  params: { features: [4, 8], bottleneck: 8 }\n';
const EPOCHS = 8;
const RUNS = 2;

interface Timing {
  local: number;
  cluster: number;
  submit: number;
}

export async function benchClusterTraining(): Promise<string> {
  const why = slurmUnavailable();
  if (why) throw new Error(`no test Slurm here: ${why}`);
  const slurm = startTestSlurm();
  process.env.SLURM_CONF = slurm.env.SLURM_CONF;
  const models = slurm.cores;
  const home = mkdtempSync(path.join(tmpdir(), 'promethium-bench-cluster-train-'));
  const env = { ...slurm.env, PROMETHIUM_HOME: home };
  const cli = (args: string[]): string => execFileSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
  try {
    const project = path.join(home, 'project');
    const segy = path.join(home, 'cube.sgy');
    const config = path.join(home, 'tiny.yaml');
    writeFileSync(config, CONFIG);
    const size = ['--inlines', CUBE.inlines, '--crosslines', CUBE.crosslines, '--samples', CUBE.samples].map(String);
    cli(['synth', '--out', segy, '--kind', 'cube', ...size]);
    cli(['import', segy, '--project', project]);
    const train = (out: string, extra: string[]): string =>
      cli([
        'train',
        ...['--task', 'denoise', '--data', segy, '--out', out, '--config', config, '--project', project],
        ...['--epochs', String(EPOCHS), '--patch', '16', '--batch', '8', '--json', ...extra],
      ]);
    const timings: Timing[] = [];
    for (let run = 0; run < RUNS; run++) {
      let started = performance.now();
      for (let seed = 1; seed <= models; seed++) train(`local ${run}.${seed}`, ['--seed', String(seed)]);
      const local = (performance.now() - started) / 1000;
      started = performance.now();
      const submitted = JSON.parse(train(`ensemble ${run}`, ['--slurm', '--ensemble', String(models)]));
      const submit = (performance.now() - started) / 1000;
      const { trainingId, finish } = submitted as ClusterTrainingStatus;
      await waitForFinish(finish.slurmId, path.join(project, 'cluster', trainingId, 'logs', 'register.log'));
      timings.push({ local, cluster: (performance.now() - started) / 1000, submit });
      console.log(`run ${run + 1}: local ${local.toFixed(1)} s, Slurm ${timings.at(-1)!.cluster.toFixed(1)} s`);
    }
    const [local, cluster, submit] = (['local', 'cluster', 'submit'] as const).map((key) =>
      median(timings.map((t) => t[key])),
    ) as [number, number, number];
    return [
      `An ensemble of ${models} small denoisers (autoencoder 4-8, ${EPOCHS} epochs of 16 x 16 patches from a ` +
        `${CUBE.inlines} x ${CUBE.crosslines} x ${CUBE.samples} cube, wasm), medians of ${RUNS} alternating runs, ` +
        `${cpus().length} cores:`,
      '',
      '| run | wall time | per model |',
      '| --- | --- | --- |',
      `| local: ${models} trainings one after the other | ${local.toFixed(1)} s | ${(local / models).toFixed(1)} s |`,
      `| Slurm array job, ${models} tasks at once, + registering job | ${cluster.toFixed(1)} s | ` +
        `${(cluster / models).toFixed(1)} s |`,
      '',
      `Array job / local: **${(cluster / local).toFixed(2)}x**. The tasks run side by side on the ${slurm.cores} ` +
        `cores where the local trainings take turns, so the ratio is below 1 when the fixed costs are small next to ` +
        `a training. Those costs: the submission ${submit.toFixed(1)} s (planning, scripts, two sbatch calls), then ` +
        'per task the start of a Promethium process and a compute process on the node, and the registering job ' +
        '(a third process, reading every model and writing the database once). On a real cluster a training runs ' +
        'for hours: these seconds, and the queue wait, are what the cluster adds to each model.',
    ].join('\n');
  } finally {
    slurm.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
