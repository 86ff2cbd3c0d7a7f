import { utilityProcess } from 'electron';
import type { ComputeToHost } from '../compute/protocol';
import type { ComputeLauncher } from '../jobs/computeHost';

/** Starts the compute process as an Electron utilityProcess (Chromium's service process: no window, own crash domain). */
export function utilityComputeLauncher(bundle: string): ComputeLauncher {
  return () => {
    const child = utilityProcess.fork(bundle, [], { serviceName: 'Promethium compute', stdio: 'inherit' });
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', (message: unknown) => listener(message as ComputeToHost)),
      onExit: (listener) => child.on('exit', (code: number) => listener(`exit code ${code}`)),
      kill: () => void child.kill(),
    };
  };
}
