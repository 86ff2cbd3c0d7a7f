/**
 * The real services as the tests use them: a fresh user-data folder, the bundled models of the checkout, and the
 * compute process forked from the built dist/compute.cjs with a chosen ML backend.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendName, JobInfo } from '../../preload/contract';
import { forkComputeLauncher } from '../../main/jobs/forkCompute';
import { AppServices } from '../../main/workflows/services';

export interface TestServices {
  services: AppServices;
  home: string;
  dispose(): void;
}

/** The real services on a user-data folder and a project folder, started as a host starts them. */
export function openServices(options: {
  home: string;
  projectDir?: string;
  backend?: BackendName;
  damagedDatabases?: 'fail' | 'offer';
  viewWorkerScript?: string;
}): AppServices {
  return new AppServices({
    userDataDir: options.home,
    projectDir: options.projectDir,
    bundledModelsDir: path.resolve('resources/models'),
    damagedDatabases: options.damagedDatabases,
    viewWorkerScript: options.viewWorkerScript,
    host: {
      kind: 'browser',
      versions: {},
      launchCompute: forkComputeLauncher(path.resolve('dist/compute.cjs'), {
        ...process.env,
        PROMETHIUM_BACKEND: options.backend ?? 'cpu',
      }),
      showOpenDialog: async () => ({ canceled: true, paths: [] }),
    },
  });
}

export function createTestServices(backend: BackendName = 'cpu', prefix = 'promethium-test-'): TestServices {
  const home = mkdtempSync(path.join(os.tmpdir(), prefix));
  const services = openServices({ home, backend });
  return {
    services,
    home,
    dispose: () => {
      services.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Resolves with the job's status when `predicate` holds for it (by default: when it has ended). */
export function jobWhen(
  services: AppServices,
  id: string,
  predicate: (job: JobInfo) => boolean = (job) => !['queued', 'running'].includes(job.state),
): Promise<JobInfo> {
  return new Promise((resolve) => {
    const stop = services.bus.on('jobs.changed', (job) => {
      if (job.id === id && predicate(job)) {
        stop();
        resolve(job);
      }
    });
  });
}
