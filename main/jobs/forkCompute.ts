import { fork } from 'node:child_process';
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { ComputeToHost } from '../compute/protocol';
import type { ComputeLauncher } from './computeHost';

/** The built compute bundle, next to the other bundles in dist/. */
export function computeBundlePath(distDir: string): string {
  return path.join(distDir, 'compute.cjs');
}

/**
 * Starts the compute process with child_process.fork (browser mode, CLI, tests). `execArgv`: Node options for it
 * (the apply benchmark profiles it with --cpu-prof, which NODE_OPTIONS may not carry).
 */
export function forkComputeLauncher(
  bundle: string,
  env: NodeJS.ProcessEnv = process.env,
  execArgv: string[] = process.execArgv,
): ComputeLauncher {
  return () => {
    if (!existsSync(bundle)) throw new Error(`compute bundle ${bundle} is missing: run \`npm run build\``);
    // 'advanced' serialization carries typed arrays (sections, tiles) without converting them to JSON.
    const child = fork(bundle, [], {
      serialization: 'advanced',
      env,
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return {
      pid: child.pid,
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', (message) => listener(message as ComputeToHost)),
      onExit: (listener) =>
        child.on('exit', (code, signal) => listener(signal ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`)),
      kill: () => child.kill(),
    };
  };
}
