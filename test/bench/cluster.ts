/**
 * `npm run bench -- cluster`: apply to volume of one generated cube, locally and as a Slurm array job on a real
 * single-host Slurm (the tests' one: Debian's daemons, started here as root), with the same cores, alternating runs.
 * Reports the wall times, their ratio and where the array job's extra time goes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { jobStates } from '../../main/cluster/slurm';
import { slurmUnavailable, startTestSlurm, type TestSlurm } from '../support/slurmCluster';
import { median } from './stats';

const BIN = path.resolve('bin/promethium.cjs');
const CUBE = { inlines: 48, crosslines: 200, samples: 750 };
const RUNS = 3;

interface Timing {
  local: number;
  cluster: number;
  submit: number;
}

/** What a cluster bench runs in: the test Slurm, a temporary home and project, the CLI, a generated cube. */
export interface SlurmBench {
  slurm: TestSlurm;
  /** The temporary folder that holds everything below, removed after the bench. */
  home: string;
  project: string;
  cli: (args: string[]) => string;
  /** The generated cube's SEG-Y. */
  segy: string;
}

/** Starts the test Slurm, generates the cube, runs `work`, and stops and removes everything after it. */
export async function withSlurmBench<T>(
  cube: { inlines: number; crosslines: number; samples: number },
  synthArgs: string[],
  work: (bench: SlurmBench) => Promise<T>,
): Promise<T> {
  const why = slurmUnavailable();
  if (why) throw new Error(`no test Slurm here: ${why}`);
  const slurm = startTestSlurm();
  // The Slurm commands this process runs (the final job's state) ask the test Slurm.
  process.env.SLURM_CONF = slurm.env.SLURM_CONF;
  const home = mkdtempSync(path.join(tmpdir(), 'promethium-bench-cluster-'));
  const env = { ...slurm.env, PROMETHIUM_HOME: home };
  const cli = (args: string[]): string => execFileSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
  try {
    const segy = path.join(home, 'cube.sgy');
    const size = ['--inlines', cube.inlines, '--crosslines', cube.crosslines, '--samples', cube.samples].map(String);
    cli(['synth', '--out', segy, '--kind', 'cube', ...size, ...synthArgs]);
    return await work({ slurm, home, project: path.join(home, 'project'), cli, segy });
  } finally {
    slurm.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

export function benchCluster(): Promise<string> {
  return withSlurmBench(CUBE, ['--noise', 'gaussian:0'], async ({ slurm, project, cli, segy }) => {
    const surveyId = (JSON.parse(cli(['import', segy, '--project', project, '--json'])) as { id: string }).id;
    const apply = [
      'apply',
      '--project',
      project,
      '--survey',
      surveyId,
      '--task',
      'denoise',
      '--method',
      'fx',
      '--json',
    ];
    const timings: Timing[] = [];
    for (let run = 0; run < RUNS; run++) {
      let started = performance.now();
      cli(apply);
      const local = (performance.now() - started) / 1000;
      started = performance.now();
      const submitted = JSON.parse(cli([...apply, '--slurm', '--tasks', String(slurm.cores)])) as {
        volume: { id: string };
        cluster: { finishJobId: string };
      };
      const submit = (performance.now() - started) / 1000;
      const log = path.join(project, 'cluster', submitted.volume.id, 'logs', 'finish.log');
      await waitForFinish(submitted.cluster.finishJobId, log);
      timings.push({ local, cluster: (performance.now() - started) / 1000, submit });
      console.log(`run ${run + 1}: local ${local.toFixed(1)} s, Slurm ${timings.at(-1)!.cluster.toFixed(1)} s`);
    }
    const [local, cluster, submit] = (['local', 'cluster', 'submit'] as const).map((key) =>
      median(timings.map((t) => t[key])),
    ) as [number, number, number];
    const samples = CUBE.inlines * CUBE.crosslines * CUBE.samples;
    return [
      `Apply to volume (f-x deconvolution) of a ${CUBE.inlines} x ${CUBE.crosslines} x ${CUBE.samples} cube ` +
        `(${(samples / 1e6).toFixed(1)} M samples), medians of ${RUNS} alternating runs, ${cpus().length} cores:`,
      '',
      '| run | wall time | samples/s |',
      '| --- | --- | --- |',
      `| local apply (one compute process) | ${local.toFixed(1)} s | ${(samples / local / 1e6).toFixed(2)} M |`,
      `| Slurm array job, ${slurm.cores} tasks, + final job | ${cluster.toFixed(1)} s | ${(samples / cluster / 1e6).toFixed(2)} M |`,
      '',
      `Array job / local: **${(cluster / local).toFixed(2)}x** (target: within 1.3x). Of the array job's time, ` +
        `${submit.toFixed(1)} s is the submission (planning the volume, writing the scripts, two sbatch calls); the ` +
        'rest is the tasks (each starts a Promethium process and a compute process) and the final job (3D view, ready ' +
        'state), with the scheduler starting each as the one before ends.',
    ].join('\n');
  });
}

/** Polls Slurm itself (not a Promethium process, which would take a core from the tasks) until the final job ends. */
export async function waitForFinish(finishJobId: string, logFile: string): Promise<void> {
  for (;;) {
    const state = (await jobStates([finishJobId]))[0]?.state;
    if (state === 'done') return;
    if (state === 'failed' || state === 'cancelled') {
      throw new Error(`the final job ${state}: ${readFileSync(logFile, 'utf8')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
