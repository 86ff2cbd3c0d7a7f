/**
 * The project's recording sets (passive recordings) as the sidebar and the recording view show them: the list, kept
 * current by 'recordings.changed' events, which one is open, and the folder picker of "Import recordings…".
 */
import type { Api, RecordingSetSummary } from '../../../preload/contract';

export class RecordingsStore {
  sets = $state<RecordingSetSummary[] | null>(null);
  openId = $state<string | null>(null);
  /** The folder picker of "Import recordings…" is open. */
  pickingFolder = $state(false);
  readonly open = $derived(this.sets?.find((set) => set.id === this.openId) ?? null);

  constructor(
    private readonly api: Api,
    /** Runs an API call, turning a failure into a notice (AppState.attempt). */
    private readonly attempt: <T>(what: string, call: () => Promise<T>) => Promise<T | undefined>,
  ) {}

  async load(): Promise<void> {
    const sets = await this.attempt('Listing recordings', () => this.api.recordings.list());
    if (!sets) return;
    this.sets = sets;
    if (this.openId && !sets.some((set) => set.id === this.openId)) this.openId = null;
  }

  upsert(set: RecordingSetSummary): void {
    if (!this.sets) this.sets = [];
    const index = this.sets.findIndex((known) => known.id === set.id);
    if (index < 0) this.sets.unshift(set);
    else this.sets[index] = set;
  }

  /** Starts the import of a folder; the set shows as importing until its job ends. */
  async importFolder(dir: string): Promise<string | undefined> {
    this.pickingFolder = false;
    const started = await this.attempt('Importing recordings', () => this.api.recordings.import({ dir }));
    if (!started) return undefined;
    this.upsert(started.recordingSet);
    return started.job.id;
  }

  async remove(id: string): Promise<void> {
    const done = await this.attempt('Removing the recording set', async () => {
      await this.api.recordings.remove(id);
      return true;
    });
    if (!done) return;
    if (this.openId === id) this.openId = null;
    this.sets = (this.sets ?? []).filter((set) => set.id !== id);
  }
}
