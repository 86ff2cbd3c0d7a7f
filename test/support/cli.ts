/** The built `promethium` command as a user runs it, with its own home folder (settings, default project). */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  /** Added to the environment (e.g. PROMETHIUM_COMPUTE_THREADS). */
  env?: NodeJS.ProcessEnv;
  /** The command is killed after this long (status -1, said in stderr): a run that never exits fails, not hangs. */
  timeoutMs?: number;
}

export function runCli(home: string, ...args: string[]): CliRun {
  return runCliWith(home, {}, ...args);
}

export function runCliWith(home: string, options: CliRunOptions, ...args: string[]): CliRun {
  const result = spawnSync(process.execPath, ['bin/promethium.cjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PROMETHIUM_HOME: path.join(home, 'home'), ...options.env },
    timeout: options.timeoutMs,
  });
  const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  const killed = timedOut ? `\n(killed: still running after ${options.timeoutMs} ms)` : '';
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr + killed };
}
