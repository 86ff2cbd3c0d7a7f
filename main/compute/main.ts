/**
 * Entry point of the compute process (Electron utilityProcess, or child_process.fork in the browser mode and the CLI).
 * Training, inference, imports and exports run here, never on the main process's event loop, and a GPU driver crash
 * here takes down only this process: the host marks the running job and starts a new one on demand.
 */
import type { BackendReport } from '../../preload/contract';
import { toApiError } from './apiErrors';
import { chooseBackend } from '../ml/backends';
import { withInferenceThreads } from '../ml/parallelInference';
import { warmUpModels } from './inferenceCache';
import { runJob } from './jobs';
import type { ComputeToHost, HostToCompute } from './protocol';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

/** Electron's utilityProcess exposes process.parentPort; child_process.fork gives process.send. */
function connectToHost(): {
  send(message: ComputeToHost): void;
  onMessage(listener: (message: HostToCompute) => void): void;
} {
  const parentPort = (process as NodeJS.Process & { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (message) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data as HostToCompute)),
    };
  }
  if (!process.send) throw new Error('the compute process must be started by Promethium (no IPC channel)');
  // A host that died (even by SIGKILL) closes the channel: stop too, so an orphan never keeps writing a volume that a
  // restarted app resumes.
  process.on('disconnect', () => process.exit(1));
  return {
    send: (message) => process.send?.(message),
    onMessage: (listener) => process.on('message', (message) => listener(message as HostToCompute)),
  };
}

const host = connectToHost();
// Stopped by the host: leave through process.exit (as the default handler would leave, with its exit code), so Node's
// exit hooks run: a --cpu-prof profile (npm run bench -- apply) is written only then.
process.on('SIGTERM', () => process.exit(143));
const running = new Map<string, AbortController>();
/** The backend the last probe chose. */
let backendName: BackendReport['backend'] | null = null;

async function probe(): Promise<{ backend: BackendReport | null; backendError: string | null }> {
  try {
    const backend = withInferenceThreads(await chooseBackend());
    backendName = backend.backend;
    return { backend, backendError: null };
  } catch (error) {
    return { backend: null, backendError: error instanceof Error ? error.message : String(error) };
  }
}

async function run(jobId: string, request: Extract<HostToCompute, { type: 'run' }>['request']): Promise<void> {
  const controller = new AbortController();
  running.set(jobId, controller);
  try {
    const progress = (fraction: number, message: string, detail?: unknown): void =>
      host.send({ type: 'progress', jobId, fraction: Math.min(1, Math.max(0, fraction)), message, detail });
    const result = await runJob(request, { signal: controller.signal, progress });
    host.send({ type: 'done', jobId, result });
  } catch (error) {
    if (controller.signal.aborted) host.send({ type: 'cancelled', jobId });
    else host.send({ type: 'failed', jobId, error: toApiError(error, `job ${request.kind}`) });
  } finally {
    running.delete(jobId);
  }
}

host.onMessage((message) => {
  switch (message.type) {
    case 'run':
      void run(message.jobId, message.request);
      break;
    case 'cancel':
      running.get(message.jobId)?.abort();
      break;
    case 'probe':
      void probe().then((report) => host.send({ type: 'backend', ...report }));
      break;
    case 'warm-up':
      // On a GPU only, where what a first click waits for is kernel compilation. On the CPU the network's own time
      // dominates a click, and a warm-up would take both cores away from whatever the user starts first.
      if (backendName === 'webgpu' || backendName === 'tensorflow') {
        void warmUpModels(message.modelDirs, () => running.size === 0);
      }
      break;
  }
});

void probe().then((report) => host.send({ type: 'ready', ...report, pid: process.pid }));
