/** The typed messages between the main process (host) and the compute process. */
import type { ApiErrorShape, BackendReport, JobRequest } from '../../preload/contract';

export type HostToCompute =
  | { type: 'run'; jobId: string; request: JobRequest }
  | { type: 'cancel'; jobId: string }
  | { type: 'probe' }
  /** Sent once the process is ready: load these models and run them once, before the first click needs them. */
  | { type: 'warm-up'; modelDirs: string[] };

export type ComputeToHost =
  | { type: 'ready'; backend: BackendReport | null; backendError: string | null; pid: number }
  | { type: 'backend'; backend: BackendReport | null; backendError: string | null }
  | { type: 'progress'; jobId: string; fraction: number; message: string; detail?: unknown }
  | { type: 'done'; jobId: string; result: unknown }
  | { type: 'failed'; jobId: string; error: ApiErrorShape }
  | { type: 'cancelled'; jobId: string };

/** What a job function gets: where to report progress and how it learns it was cancelled. */
export interface JobContext {
  signal: AbortSignal;
  /** `detail`: structured progress the host records (e.g. one epoch's metrics). */
  progress(fraction: number, message: string, detail?: unknown): void;
}
