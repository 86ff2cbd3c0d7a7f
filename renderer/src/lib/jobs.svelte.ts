/**
 * The jobs main runs, as this window knows them: the list (from jobs.list and the jobs.changed events, the newer
 * snapshot of each kept), the counts and the docked panel's selection, and the cancels asked and not yet answered.
 */
import type { Api, JobInfo, JobState } from '../../../preload/contract';

export function isActive(state: JobState): boolean {
  return state === 'queued' || state === 'running';
}

function stateRank(state: JobState): number {
  if (state === 'queued') return 0;
  if (state === 'running') return 1;
  return 2;
}

/** Of two snapshots of one job, the later one: an event may overtake (or trail) the answer to jobs.list(). */
export function newerSnapshot(known: JobInfo, incoming: JobInfo): JobInfo {
  const rankKnown = stateRank(known.state);
  const rankIncoming = stateRank(incoming.state);
  if (rankIncoming !== rankKnown) return rankIncoming > rankKnown ? incoming : known;
  if (rankKnown === 2) return (incoming.finishedAt ?? '') >= (known.finishedAt ?? '') ? incoming : known;
  return incoming.progress >= known.progress ? incoming : known;
}

export class JobsStore {
  list = $state<JobInfo[]>([]);
  /** Jobs whose cancel was asked, until they end (or the cancel fails). */
  cancelling = $state<Record<string, boolean>>({});
  sorted = $derived([...this.list].sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
  runningCount = $derived(this.list.filter((job) => job.state === 'running').length);
  queuedCount = $derived(this.list.filter((job) => job.state === 'queued').length);
  /** The docked panel: every queued or running job, then the most recent finished ones. */
  panel = $derived([
    ...this.sorted.filter((job) => isActive(job.state)),
    ...this.sorted.filter((job) => !isActive(job.state)).slice(0, 6),
  ]);

  constructor(
    private readonly api: Api,
    /** Runs an API call, turning a failure into a notice (AppState.attempt). */
    private readonly attempt: <T>(what: string, call: () => Promise<T>) => Promise<T | undefined>,
  ) {}

  async load(): Promise<void> {
    const listed = await this.attempt('Listing jobs', () => this.api.jobs.list());
    if (!listed) return;
    // A throwaway lookup, not state: nothing reads it reactively.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const known = new Map(this.list.map((job) => [job.id, job]));
    this.list = listed.map((job) => {
      const previous = known.get(job.id);
      return previous ? newerSnapshot(previous, job) : job;
    });
  }

  /** Keeps the newer of this snapshot and the one known; returns the one known before (undefined: a new job). */
  record(job: JobInfo): JobInfo | undefined {
    const index = this.list.findIndex((known) => known.id === job.id);
    const previous = index < 0 ? undefined : this.list[index];
    if (index < 0) this.list.push(job);
    else this.list[index] = newerSnapshot(this.list[index]!, job);
    if (!isActive(job.state) && this.cancelling[job.id]) delete this.cancelling[job.id];
    return previous;
  }

  find(id: string): JobInfo | undefined {
    return this.list.find((job) => job.id === id);
  }
}
