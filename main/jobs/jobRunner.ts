import { randomUUID } from 'node:crypto';
import { PromethiumError, type JobInfo, type JobRequest } from '../../preload/contract';
import { jobTitle } from '../compute/jobs';
import type { ApiEventBus } from './events';
import type { Project } from '../project/project';
import type { ComputeHost, JobOutcome } from './computeHost';
import { EtaEstimator } from './eta';

const PERSIST_INTERVAL_MS = 1000;
const EVENT_INTERVAL_MS = 100;

export interface JobRecord {
  info: JobInfo;
  request: JobRequest;
  project: Project;
}

/** What the main process does around jobs: record structured progress (epochs), and act when a job ends. */
export interface JobHooks {
  onDetail(job: JobRecord, detail: unknown): void;
  /** Called whatever the outcome (e.g. to record an imported survey or register a trained model). */
  onFinished(job: JobRecord): void | Promise<void>;
}

const NO_HOOKS: JobHooks = { onDetail: () => undefined, onFinished: () => undefined };

interface ActiveJob {
  info: JobInfo;
  request: JobRequest;
  project: Project;
  eta: EtaEstimator;
  lastPersistMs: number;
  lastEventMs: number;
}

/**
 * The job queue of the main process: jobs run one at a time in the compute process; status is persisted in the
 * project database (throttled while running, always on state changes) and published as `jobs.changed` events.
 */
export class JobRunner {
  private readonly queue: ActiveJob[] = [];
  private active: ActiveJob | null = null;

  constructor(
    private readonly compute: ComputeHost,
    private readonly bus: ApiEventBus,
    private readonly project: () => Project,
    private readonly hooks: JobHooks = NO_HOOKS,
  ) {}

  start(request: JobRequest): JobInfo {
    const project = this.project();
    const info: JobInfo = {
      id: randomUUID(),
      kind: request.kind,
      title: jobTitle(request),
      state: 'queued',
      progress: 0,
      etaSeconds: null,
      message: 'queued',
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      error: null,
      result: null,
      detail: null,
    };
    project.jobs.insert(info, request);
    this.queue.push({ info, request, project, eta: new EtaEstimator(), lastPersistMs: 0, lastEventMs: 0 });
    this.bus.emit('jobs.changed', info);
    void this.pump();
    return info;
  }

  cancel(id: string): JobInfo {
    const queued = this.queue.findIndex((job) => job.info.id === id);
    if (queued >= 0) {
      const [job] = this.queue.splice(queued, 1);
      void this.finish(job!, { state: 'cancelled' });
      return job!.info;
    }
    if (this.active?.info.id === id) {
      this.compute.cancel(id);
      return this.active.info;
    }
    return this.get(id);
  }

  /** Starts a cancelled, failed or interrupted job again; kinds that checkpoint (training) continue where they were. */
  resume(id: string): JobInfo {
    const stored = this.project().jobs.get(id);
    if (!stored) throw new PromethiumError('not-found', `no job ${id} in this project`);
    if (!['cancelled', 'interrupted', 'failed'].includes(stored.info.state)) {
      throw new PromethiumError(
        'invalid-argument',
        `job ${id} is ${stored.info.state}: only stopped jobs can be resumed`,
      );
    }
    const request = stored.request;
    return this.start(request.kind === 'train-model' ? { ...request, resume: true } : request);
  }

  get(id: string): JobInfo {
    if (this.active?.info.id === id) return { ...this.active.info };
    const queued = this.queue.find((job) => job.info.id === id);
    if (queued) return { ...queued.info };
    const stored = this.project().jobs.get(id);
    if (!stored) throw new PromethiumError('not-found', `no job ${id} in this project`);
    return stored.info;
  }

  /** The jobs queued or running, oldest first. */
  unfinished(): JobInfo[] {
    return [...(this.active ? [this.active] : []), ...this.queue].map((job) => ({ ...job.info }));
  }

  list(): JobInfo[] {
    const live = new Map<string, JobInfo>();
    for (const job of [...this.queue, ...(this.active ? [this.active] : [])]) live.set(job.info.id, job.info);
    return this.project()
      .jobs.list()
      .map((info) => live.get(info.id) ?? info);
  }

  private async pump(): Promise<void> {
    if (this.active) return;
    const job = this.queue.shift();
    if (!job) return;
    this.active = job;
    Object.assign(job.info, { state: 'running', startedAt: new Date().toISOString(), message: 'starting' });
    this.publish(job, true);
    // Progress arrives in the compute process's message handler: nothing it does may throw there.
    const outcome = await this.compute.run(job.info.id, job.request, (fraction, message, detail) =>
      this.guard(job, () => this.onProgress(job, fraction, message, detail)),
    );
    await this.finish(job, outcome);
    this.active = null;
    void this.pump();
  }

  private onProgress(job: ActiveJob, fraction: number, message: string, detail: unknown): void {
    if (detail !== undefined && detail !== null) {
      job.info.detail = detail;
      this.guard(job, () => this.hooks.onDetail(job, detail));
      job.lastEventMs = 0; // structured progress is always published
    }
    job.info.progress = fraction;
    job.info.message = message;
    job.info.etaSeconds = job.eta.observe(fraction, Date.now());
    this.publish(job, false);
  }

  private guard(job: ActiveJob, work: () => unknown): void {
    try {
      const result = work();
      if (result instanceof Promise)
        result.catch((error: unknown) => console.error(`[jobs] ${job.info.kind} ${job.info.id}:`, error));
    } catch (error) {
      console.error(`[jobs] ${job.info.kind} ${job.info.id}:`, error);
    }
  }

  private async finish(job: ActiveJob, outcome: JobOutcome): Promise<void> {
    const info = job.info;
    info.state = outcome.state;
    info.finishedAt = new Date().toISOString();
    info.etaSeconds = null;
    if (outcome.state === 'done') {
      info.progress = 1;
      info.result = outcome.result;
      info.message = 'done';
    } else if (outcome.state === 'cancelled') {
      info.message = 'cancelled';
    } else {
      info.error = outcome.error;
      info.message = outcome.error.message;
    }
    try {
      await this.hooks.onFinished(job);
    } catch (error) {
      // The work is done but what follows it failed (e.g. registering the model): the job reports that.
      info.state = 'failed';
      info.error = { code: 'internal', message: `${info.title}: ${error instanceof Error ? error.message : error}` };
      info.message = info.error.message;
    }
    this.publish(job, true);
  }

  /** Emits the job's status (throttled unless forced) and persists it (throttled more unless forced). */
  private publish(job: ActiveJob, force: boolean): void {
    const now = Date.now();
    if (force || now - job.lastPersistMs >= PERSIST_INTERVAL_MS) {
      this.guard(job, () => job.project.jobs.update(job.info));
      job.lastPersistMs = now;
    }
    if (force || now - job.lastEventMs >= EVENT_INTERVAL_MS) {
      this.bus.emit('jobs.changed', { ...job.info });
      job.lastEventMs = now;
    }
  }
}
