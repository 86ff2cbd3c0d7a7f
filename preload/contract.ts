/**
 * The one typed API between the renderer (untrusted) and the main process.
 *
 * Everything that crosses the boundary is described here once: each method's argument schema (validated on the main side,
 * because the renderer is untrusted) and its result type, plus the typed events. The preload bridge, the WebSocket client
 * of the browser mode, main's handler map and the dispatcher are all derived from `apiContract`, so a method added here
 * without a handler is a compile error.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------------------
// Shared value types
// ---------------------------------------------------------------------------------------------------------------------

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** Outcome of the compute process's ML backend probe: the chosen backend and why each better one was skipped. */
export interface BackendReport {
  backend: BackendName;
  /** Human-readable device, e.g. "NVIDIA H200 (Vulkan)" or "WebAssembly SIMD, 1 thread". */
  device: string;
  fallbacks: { backend: BackendName; reason: string }[];
  /** True when PROMETHIUM_BACKEND forced the choice. */
  forced: boolean;
  probeMs: number;
}

export type ComputeState = 'stopped' | 'starting' | 'ready' | 'crashed';

export interface ComputeStatus {
  state: ComputeState;
  pid: number | null;
  backend: BackendReport | null;
  /** How many times the compute process died and was started again. */
  restarts: number;
  lastExit: string | null;
}

export type HostKind = 'electron' | 'browser';

export interface SystemInfo {
  appVersion: string;
  host: HostKind;
  versions: Record<string, string>;
  platform: string;
  paths: { userData: string; project: string; logs: string };
  compute: ComputeStatus;
}

export interface ProjectInfo {
  path: string;
  name: string;
  schemaVersion: number;
  createdAt: string;
}

export interface RecentProject {
  path: string;
  name: string;
  openedAt: string;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface JobInfo {
  id: string;
  kind: JobRequest['kind'];
  title: string;
  state: JobState;
  /** 0..1 */
  progress: number;
  etaSeconds: number | null;
  message: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: ApiErrorShape | null;
  result: unknown;
}

export interface ModelSummary {
  id: string;
  name: string;
  architecture: string;
  task: string;
  bundled: boolean;
  createdAt: string;
  sizeBytes: number;
}

export interface OpenDialogResult {
  canceled: boolean;
  paths: string[];
}

/** Commands the native menu sends to the renderer. */
export type MenuCommand = 'open-segy' | 'open-project' | 'export' | 'about' | 'show-system' | 'show-jobs';

// ---------------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------------

export type ApiErrorCode =
  | 'invalid-argument'
  | 'unknown-method'
  | 'not-found'
  | 'unavailable'
  | 'segy-format'
  | 'io'
  | 'cancelled'
  | 'compute-crashed'
  | 'internal';

export interface ApiErrorShape {
  code: ApiErrorCode;
  message: string;
}

/** The error every API call rejects with, on both hosts: a code to branch on and a message a user can read. */
export class PromethiumError extends Error implements ApiErrorShape {
  override readonly name = 'PromethiumError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }

  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message };
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Jobs: every long call is one of these requests, run in the compute process
// ---------------------------------------------------------------------------------------------------------------------

export const jobRequestSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('synthetic-stats'),
    /** Size of the synthetic volume: inlines x crosslines x samples. */
    inlines: z.number().int().min(1).max(2000),
    crosslines: z.number().int().min(1).max(2000),
    samples: z.number().int().min(1).max(10000),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  }),
]);
export type JobRequest = z.infer<typeof jobRequestSchema>;

export interface AmplitudeStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  rms: number;
  /** 99th percentile of |amplitude|, the usual display clip. */
  p99Abs: number;
}

// ---------------------------------------------------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------------------------------------------------

/** A method: its argument tuple schema and (phantom) result type. */
export interface MethodSpec<A extends z.ZodTuple, R> {
  args: A;
  result?: R;
}
const returns = <R>(): R | undefined => undefined;
const call = <A extends z.ZodTuple, R>(args: A, _result: R | undefined): MethodSpec<A, R> => ({ args });
const noArgs = z.tuple([]);

const projectPath = z.string().min(1, 'a project folder path is required').max(4096);
const jobId = z.string().regex(/^[0-9a-f-]{8,64}$/, 'a job id (hex) is required');

export const apiContract = {
  project: {
    current: call(noArgs, returns<ProjectInfo>()),
    open: call(z.tuple([projectPath]), returns<ProjectInfo>()),
    create: call(z.tuple([projectPath]), returns<ProjectInfo>()),
    recent: call(noArgs, returns<RecentProject[]>()),
  },
  models: {
    list: call(noArgs, returns<ModelSummary[]>()),
  },
  jobs: {
    list: call(noArgs, returns<JobInfo[]>()),
    get: call(z.tuple([jobId]), returns<JobInfo>()),
    start: call(z.tuple([jobRequestSchema]), returns<JobInfo>()),
    cancel: call(z.tuple([jobId]), returns<JobInfo>()),
  },
  system: {
    info: call(noArgs, returns<SystemInfo>()),
    /** Probes (or re-probes) the compute backend; starts the compute process if needed. */
    backend: call(noArgs, returns<BackendReport>()),
    showOpenDialog: call(
      z.tuple([
        z.object({
          title: z.string().max(200).optional(),
          kind: z.enum(['segy', 'project', 'model']),
        }),
      ]),
      returns<OpenDialogResult>(),
    ),
  },
} as const;

export type ApiContract = typeof apiContract;
export type Namespace = keyof ApiContract;
export type MethodName<N extends Namespace> = keyof ApiContract[N] & string;

type SpecOf<N extends Namespace, M extends MethodName<N>> = ApiContract[N][M];
export type ArgsOf<N extends Namespace, M extends MethodName<N>> =
  SpecOf<N, M> extends MethodSpec<infer A, unknown> ? z.infer<A> : never;
export type ResultOf<N extends Namespace, M extends MethodName<N>> =
  SpecOf<N, M> extends MethodSpec<z.ZodTuple, infer R> ? R : never;

/** Typed events pushed from main to every renderer. */
export interface ApiEvents {
  'jobs.changed': JobInfo;
  'compute.status': ComputeStatus;
  'menu.command': MenuCommand;
}
export type EventName = keyof ApiEvents;

/** What the renderer sees as `window.promethium`. */
export type Api = {
  [N in Namespace]: { [M in MethodName<N>]: (...args: ArgsOf<N, M>) => Promise<ResultOf<N, M>> };
} & {
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
};

/** Every "namespace.method" name, e.g. "jobs.start": the channel names on the wire. */
export function methodNames(): string[] {
  return Object.entries(apiContract).flatMap(([ns, methods]) => Object.keys(methods).map((m) => `${ns}.${m}`));
}

export function isEventName(name: string): name is EventName {
  return name === 'jobs.changed' || name === 'compute.status' || name === 'menu.command';
}
