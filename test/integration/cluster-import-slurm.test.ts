/**
 * Import of a SEG-Y on a real single-host Slurm (Debian's slurmctld, slurmd and munge, started by the test): the
 * survey cache of the chain of jobs (scan tasks, layout, fill tasks, final job) must be byte-identical to a local
 * import's, also when a fill task's process is killed mid-way (the batch script starts it again and it continues after
 * its last recorded block) and when a task is cancelled and the import resumed; the survey must read the same traces
 * as segyio.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterImportStatus, SurveySummary } from '../../preload/contract';
import { Project } from '../../main/project/project';
import { SurveyCache } from '../../main/survey/cache';
import { expectSameFiles } from '../support/sameFiles';
import { slurmUnavailable, startTestSlurm, until, type TestSlurm } from '../support/slurmCluster';
import { hasTestdata, testdataPath } from '../testdata';

const BIN = path.resolve('bin/promethium.cjs');
/** A chain of four jobs, each started by the scheduler after the one before it: longer than one array job. */
const CHAIN_SECONDS = 240;
const unavailable = slurmUnavailable();
if (unavailable) console.warn(`[cluster-import-slurm] SKIPPED: no test Slurm here (${unavailable})`);

let slurm: TestSlurm;
let home: string;
let project: string;

function cli(args: string[]): string {
  return execFileSync(process.execPath, [BIN, ...args], { env: slurm.env, encoding: 'utf8' });
}

function status(surveyId: string): ClusterImportStatus {
  return JSON.parse(cli(['cluster', 'status', surveyId, '--project', project, '--json'])) as ClusterImportStatus;
}

const finalJob = (s: ClusterImportStatus) => s.stages.find((stage) => stage.stage === 'finish')!.jobs[0]!;

function finished(surveyId: string): Promise<ClusterImportStatus> {
  return until(
    `the final job of the import of ${surveyId}`,
    () => {
      const now = status(surveyId);
      return ['done', 'failed', 'cancelled'].includes(finalJob(now).state) ? now : undefined;
    },
    CHAIN_SECONDS,
  );
}

function survey(id: string): SurveySummary & { cacheDir: string } {
  const opened = Project.open(project, { create: false });
  try {
    const stored = opened.surveys.get(id)!;
    return { ...stored.summary, cacheDir: stored.cacheDir };
  } finally {
    opened.close();
  }
}

function importLocally(file: string): { id: string; seconds: number } {
  const started = performance.now();
  const { id } = JSON.parse(cli(['import', file, '--project', project, '--json'])) as { id: string };
  return { id, seconds: (performance.now() - started) / 1000 };
}

function submit(file: string, tasks: number, blockMb: number): string {
  const args = [
    'import',
    file,
    '--project',
    project,
    '--slurm',
    '--tasks',
    String(tasks),
    '--block-mb',
    String(blockMb),
  ];
  return (JSON.parse(cli([...args, '--json'])) as { survey: { id: string } }).survey.id;
}

/** Inline `inline` of the survey's cache equals segyio's traces of that inline, in crossline order. */
async function expectSegyioInline(file: string, cacheDir: string, inline: number): Promise<void> {
  const cache = await SurveyCache.open(cacheDir);
  try {
    const section = await cache.inline(inline);
    const number = cache.inlineNumbers[inline]!;
    const script = [
      'import segyio, sys, numpy as np',
      `f = segyio.open(sys.argv[1], ignore_geometry=True)`,
      `il = f.attributes(segyio.TraceField.INLINE_3D)[:]`,
      `xl = f.attributes(segyio.TraceField.CROSSLINE_3D)[:]`,
      `rows = sorted(np.nonzero(il == ${number})[0], key=lambda t: xl[t])`,
      'sys.stdout.buffer.write(np.asarray([f.trace[int(t)] for t in rows], dtype="<f4").tobytes())',
    ].join('\n');
    const bytes = execFileSync('/usr/bin/python3', ['-c', script, file], { maxBuffer: 64 << 20 });
    const segyio = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expect(segyio.length).toBe(section.data.length);
    expect(
      Buffer.from(section.data.buffer).equals(Buffer.from(segyio.buffer, segyio.byteOffset, segyio.byteLength)),
    ).toBe(true);
  } finally {
    await cache.close();
  }
}

describe.skipIf(unavailable !== null)('import of a SEG-Y on a Slurm cluster', () => {
  beforeAll(() => {
    slurm = startTestSlurm();
    home = mkdtempSync(path.join(tmpdir(), 'promethium-cluster-import-'));
    slurm.env.PROMETHIUM_HOME = home;
    project = path.join(home, 'project');
  });

  afterAll(() => slurm?.stop());

  it('builds the same cache as a local import with a fill task killed mid-way, and marks the survey ready', async () => {
    const segy = path.join(home, 'cube.sgy');
    const size = ['--inlines', '48', '--crosslines', '300', '--samples', '1000'];
    cli(['synth', '--out', segy, '--kind', 'cube', ...size, '--noise', 'gaussian:0.3']);
    const local = importLocally(segy);
    const started = performance.now();
    // Blocks of one inline (1.2 MB each): a task's fill is a dozen recorded blocks.
    const surveyId = submit(segy, 4, 1);
    const victim = 1;
    const log = path.join(project, 'cluster', surveyId, 'logs', `fill-${victim}.log`);
    await until(
      'fill task 1 to record a block',
      () => (existsSync(log) && /\(1 of \d+\)/.test(readFileSync(log, 'utf8')) ? true : undefined),
      CHAIN_SECONDS,
    );
    const pattern = `import-step fill --project .* --survey ${surveyId} --part ${victim}`;
    const pid = Number(execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    const final = await finished(surveyId);
    const clusterSeconds = (performance.now() - started) / 1000;
    console.log(
      `[cluster-import-slurm] local import ${local.seconds.toFixed(1)} s, chain of 4-task jobs on ${slurm.cores} ` +
        `cores ${clusterSeconds.toFixed(1)} s (${(clusterSeconds / local.seconds).toFixed(2)}x, one fill task killed)`,
    );
    expect(finalJob(final).state).toBe('done');
    expect(readFileSync(log, 'utf8')).toMatch(/attempt 1 of the fill step stopped/);
    expect(final.fillBlocks).toEqual({ done: 48, total: 48 });
    const imported = survey(surveyId);
    expect(imported.state).toBe('ready');
    expect(imported.description).toEqual(survey(local.id).description);
    expectSameFiles(survey(local.id).cacheDir, imported.cacheDir);
    await expectSegyioInline(segy, imported.cacheDir, 17);
    const jobs = JSON.parse(cli(['jobs', '--project', project, '--json'])) as { imports: { surveyId: string }[] };
    expect(jobs.imports.map((job) => job.surveyId)).toContain(surveyId);
  }, 400_000);

  it.skipIf(!hasTestdata)(
    'imports f3.sgy with a cancelled scan task resubmitted by `cluster resume`: same cache, same traces as segyio',
    async () => {
      const f3 = testdataPath('segy', 'f3.sgy');
      const local = importLocally(f3);
      // Pieces of 0.05 MB (about 40 traces): 11 pieces among 3 scan tasks.
      const surveyId = submit(f3, 3, 0.05);
      const scan = status(surveyId).stages[0]!.jobs[2]!.slurmId;
      execFileSync('scancel', [scan], { env: slurm.env });
      await until(
        'the import to stop after the cancelled scan task',
        () => {
          const now = finalJob(status(surveyId)).state;
          return now === 'cancelled' || now === 'failed' ? true : undefined;
        },
        CHAIN_SECONDS,
      );
      expect(survey(surveyId).state).toBe('importing');
      expect(cli(['cluster', 'resume', surveyId, '--project', project])).toMatch(/submitted again/);
      const final = await finished(surveyId);
      expect(finalJob(final).state).toBe('done');
      expectSameFiles(survey(local.id).cacheDir, survey(surveyId).cacheDir);
      await expectSegyioInline(f3, survey(surveyId).cacheDir, 5);
    },
    400_000,
  );
});
