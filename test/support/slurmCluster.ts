/**
 * A real single-host Slurm for tests: Debian's munged, slurmctld and slurmd, started as root in a folder of their own
 * (own munge key and socket, own ports, own state), so they touch nothing of the machine's. One node with this
 * machine's cores, one partition. `SLURM_CONF` in the returned environment points every Slurm command at it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { localPromethiumCommand } from '../../main/cluster/clusterApply';
import { forkComputeLauncher } from '../../main/jobs/forkCompute';
import { AppServices } from '../../main/workflows/services';
import { toolAvailable } from '../testTools';

const DAEMONS = ['/usr/sbin/munged', '/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/sbatch'];

/** Why a real Slurm cannot start here (null: it can): the Debian packages are missing, or we are not root. */
export function slurmUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'the test Slurm runs its daemons as root';
  const missing = DAEMONS.filter((file) => !existsSync(file));
  const install = `${missing.join(', ')} missing: apt-get install slurmctld slurmd slurm-client munge`;
  if (!toolAvailable(missing.length === 0, install)) return install;
  return null;
}

export interface TestSlurm {
  env: NodeJS.ProcessEnv;
  cores: number;
  stop(): void;
}

function freePortPair(): number {
  return 20_000 + 2 * Math.floor(Math.random() * 10_000);
}

export function startTestSlurm(): TestSlurm {
  const dir = mkdtempSync(path.join(tmpdir(), 'promethium-slurm-'));
  chmodSync(dir, 0o700);
  const key = path.join(dir, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  const socket = path.join(dir, 'munge.sock');
  execFileSync('/usr/sbin/munged', [
    '--force',
    `--socket=${socket}`,
    `--key-file=${key}`,
    `--pid-file=${path.join(dir, 'munged.pid')}`,
    `--log-file=${path.join(dir, 'munged.log')}`,
    `--seed-file=${path.join(dir, 'munged.seed')}`,
  ]);
  const port = freePortPair();
  const node = hostname().split('.')[0]!;
  const cores = cpus().length;
  for (const sub of ['ctld', 'd']) mkdirSync(path.join(dir, sub));
  const conf = path.join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=promethiumtest',
      `SlurmctldHost=${node}`,
      `SlurmctldPort=${port}`,
      `SlurmdPort=${port + 1}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      `AuthInfo=socket=${socket}`,
      'CredType=cred/munge',
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SchedulerType=sched/backfill',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      `StateSaveLocation=${path.join(dir, 'ctld')}`,
      `SlurmdSpoolDir=${path.join(dir, 'd')}`,
      `SlurmctldPidFile=${path.join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${path.join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${path.join(dir, 'slurmctld.log')}`,
      `SlurmdLogFile=${path.join(dir, 'slurmd.log')}`,
      'ReturnToService=2',
      'MpiDefault=none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      // Ended jobs stay known to scontrol for the whole test (no accounting database here).
      'MinJobAge=3600',
      `NodeName=${node} CPUs=${cores} State=UNKNOWN`,
      `PartitionName=test Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  execFileSync('/usr/sbin/slurmctld', ['-f', conf], { env });
  execFileSync('/usr/sbin/slurmd', ['-f', conf], { env });
  waitForIdleNode(env, dir);
  return {
    env,
    cores,
    stop: () => {
      for (const pidFile of ['slurmd.pid', 'slurmctld.pid', 'munged.pid']) {
        const file = path.join(dir, pidFile);
        if (!existsSync(file)) continue;
        try {
          process.kill(Number(readFileSync(file, 'utf8').trim()), 'SIGTERM');
        } catch {
          // already gone
        }
      }
      spawnSync('sleep', ['1']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function waitForIdleNode(env: NodeJS.ProcessEnv, dir: string): void {
  for (let attempt = 0; attempt < 60; attempt++) {
    const out = spawnSync('sinfo', ['--noheader', '--format=%T'], { env, encoding: 'utf8' });
    if (out.stdout?.trim() === 'idle') return;
    spawnSync('sleep', ['0.5']);
  }
  const log = (name: string): string =>
    existsSync(path.join(dir, name)) ? readFileSync(path.join(dir, name), 'utf8') : '';
  throw new Error(
    `the test Slurm's node did not come up:\n${log('slurmctld.log').slice(-2000)}\n${log('slurmd.log').slice(-2000)}`,
  );
}

/** Polls `probe` until it returns a value (a cluster job's state, a log line), for at most `seconds`. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  seconds = 180,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The app's services on `project`, as the browser mode builds them, submitting to the test Slurm with this checkout's CLI. */
export function clusterTestServices(slurm: TestSlurm, home: string, project: string): AppServices {
  process.env.SLURM_CONF = slurm.env.SLURM_CONF;
  return new AppServices({
    userDataDir: home,
    projectDir: project,
    bundledModelsDir: path.resolve('resources/models'),
    cliCommand: localPromethiumCommand(path.resolve('dist')),
    host: {
      kind: 'browser',
      versions: {},
      launchCompute: forkComputeLauncher(path.resolve('dist/compute.cjs')),
      showOpenDialog: async () => ({ canceled: true, paths: [] }),
    },
  });
}
