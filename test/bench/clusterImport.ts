/**
 * `npm run bench -- cluster [import]`: import of one generated SEG-Y, locally and as the cluster import's chain of
 * Slurm jobs on a real single-host Slurm (the tests' one), with the same cores, alternating runs. Reports the wall
 * times, their ratio, and each stage's share from Slurm's own start and end times.
 */
import { rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { runSlurm } from '../../main/cluster/slurm';
import { waitForFinish, withSlurmBench } from './cluster';
import { median } from './stats';

const CUBE = { inlines: 160, crosslines: 400, samples: 1000 };
const RUNS = 3;
const STAGES = ['scan', 'layout', 'fill', 'finish'] as const;

interface Timing {
  local: number;
  cluster: number;
  submit: number;
  /** Seconds from submission to each stage's end (Slurm's times, to the second). */
  stageEnds: number[];
}

export function benchClusterImport(): Promise<string> {
  return withSlurmBench(CUBE, ['--noise', 'gaussian:0.3'], async ({ slurm, project, cli, segy }) => {
    // Each run's cache is removed after it: three copies of the cube per import add up.
    const removeSurvey = (id: string) => rmSync(path.join(project, 'caches', `${id}.zarr`), { recursive: true });
    const timings: Timing[] = [];
    for (let run = 0; run < RUNS; run++) {
      let started = performance.now();
      removeSurvey((JSON.parse(cli(['import', segy, '--project', project, '--json'])) as { id: string }).id);
      const local = (performance.now() - started) / 1000;
      started = performance.now();
      const submittedAt = Date.now();
      const submitted = JSON.parse(
        cli(['import', segy, '--project', project, '--slurm', '--tasks', String(slurm.cores), '--json']),
      ) as { survey: { id: string }; cluster: { submissions: Record<(typeof STAGES)[number], string>[] } };
      const submit = (performance.now() - started) / 1000;
      const jobs = submitted.cluster.submissions[0]!;
      await waitForFinish(jobs.finish, path.join(project, 'cluster', submitted.survey.id, 'logs', 'finish.log'));
      const cluster = (performance.now() - started) / 1000;
      const stageEnds = await Promise.all(STAGES.map((stage) => endOf(jobs[stage], submittedAt)));
      removeSurvey(submitted.survey.id);
      timings.push({ local, cluster, submit, stageEnds });
      console.log(`run ${run + 1}: local ${local.toFixed(1)} s, Slurm ${cluster.toFixed(1)} s`);
    }
    const pick = (value: (t: Timing) => number) => median(timings.map(value));
    const [local, cluster, submit] = [pick((t) => t.local), pick((t) => t.cluster), pick((t) => t.submit)];
    const ends = STAGES.map((_, s) => pick((t) => t.stageEnds[s]!));
    const megabytes = statSync(segy).size / 1e6;
    const stageRows = STAGES.map(
      (stage, s) => `| ${stage} | ${(ends[s]! - (s === 0 ? 0 : ends[s - 1]!)).toFixed(0)} s |`,
    );
    return [
      `Import of a ${CUBE.inlines} x ${CUBE.crosslines} x ${CUBE.samples} cube (${megabytes.toFixed(0)} MB of ` +
        `SEG-Y, IEEE floats; the survey cache with its three chunkings), medians of ${RUNS} alternating runs, ` +
        `${cpus().length} cores:`,
      '',
      '| run | wall time | MB/s of SEG-Y |',
      '| --- | --- | --- |',
      `| local import (one compute process) | ${local.toFixed(1)} s | ${(megabytes / local).toFixed(0)} |`,
      `| Slurm: scan array, layout job, fill array (${slurm.cores} tasks each), final job | ${cluster.toFixed(1)} s | ` +
        `${(megabytes / cluster).toFixed(0)} |`,
      '',
      `Cluster / local: **${(cluster / local).toFixed(2)}x**. Of the cluster import's time, ${submit.toFixed(1)} s is ` +
        'the submission (the file checked, the header map proposed from a sample of headers, four sbatch calls); ' +
        "each stage's time from Slurm's start and end times (whole seconds, from the end of the stage before, so it " +
        'includes the wait for the scheduler to start it and the start of a Promethium process):',
      '',
      '| stage | time |',
      '| --- | --- |',
      ...stageRows,
      '',
      `Single runs: local ${timings.map((t) => t.local.toFixed(1)).join(', ')} s; cluster ` +
        `${timings.map((t) => t.cluster.toFixed(1)).join(', ')} s; load average ${loadavg()[0]!.toFixed(0)} at the ` +
        "end (other work on this machine). The split import makes the local import's two passes over the file (scan, " +
        'then fill), each by the tasks at once; what it adds is a Promethium process per task and stage, the ' +
        "scheduler's wait between stages, and the layout job (merging the scan pieces, creating the chunk files): " +
        'on files of a few tens of MB those fixed costs dominate and a local import is faster.',
    ].join('\n');
  });
}

/** Seconds from `since` (ms) to the end of a job, or of the last task of an array job, as Slurm recorded it. */
async function endOf(jobId: string, since: number): Promise<number> {
  const out = await runSlurm('scontrol', ['--oneliner', 'show', 'job', jobId]);
  const ends = [...out.matchAll(/EndTime=(\S+)/g)].map((match) => new Date(match[1]!).getTime());
  return (Math.max(...ends) - since) / 1000;
}
