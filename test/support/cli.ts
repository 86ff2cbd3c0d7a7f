/** The built `promethium` command as a user runs it, with its own home folder (settings, default project). */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export function runCli(home: string, ...args: string[]): CliRun {
  const result = spawnSync(process.execPath, ['bin/promethium.cjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PROMETHIUM_HOME: path.join(home, 'home') },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
