/**
 * A list the server cannot push, such as what runs on the Slurm cluster (Slurm sends no events): read on demand and
 * polled every few seconds while any item is still active, not at all otherwise. `onEnded` hears when an item that
 * was active is no longer, so that what it produced (a volume, a survey) can be listed again.
 */
const POLL_MS = 3000;

export class PolledList<T> {
  items = $state<T[]>([]);
  active = $derived(this.items.filter((item) => this.isActive(item)));
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    /** The list as the server has it now (undefined when the call failed and was reported). */
    private readonly read: () => Promise<T[] | undefined>,
    private readonly keyOf: (item: T) => string,
    private readonly isActive: (item: T) => boolean,
    private readonly onEnded: () => void,
  ) {}

  async refresh(): Promise<void> {
    const listed = await this.read();
    if (!listed) return;
    const wasActive = this.active.map(this.keyOf);
    this.items = listed;
    if (listed.some((item) => wasActive.includes(this.keyOf(item)) && !this.isActive(item))) this.onEnded();
    this.schedule();
  }

  /** A new item (just submitted), listed first until the next refresh. */
  add(item: T): void {
    this.items = [item, ...this.items.filter((other) => this.keyOf(other) !== this.keyOf(item))];
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.stop();
    if (this.active.length > 0) this.timer = setTimeout(() => void this.refresh(), POLL_MS);
  }
}
