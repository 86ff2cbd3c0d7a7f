/**
 * The inlines of one apply to volume, dealt to several workers from one queue: a worker asks for its next inline when
 * it is ready for one, so a faster GPU simply takes more of them. A worker that stops gives back the inlines it was
 * dealt and did not write; they go to the front of the queue, so the other workers take them next.
 */
export class InlineDealer {
  private readonly queue: number[];
  /** Per worker: the inlines dealt to it and not yet written. */
  private readonly dealt = new Map<string, Set<number>>();
  private writtenCount = 0;

  constructor(todo: readonly number[]) {
    this.queue = [...todo];
  }

  /** The next inline for `worker`, or null while the queue is empty. */
  next(worker: string): number | null {
    const inline = this.queue.shift();
    if (inline === undefined) return null;
    this.holding(worker).add(inline);
    return inline;
  }

  /** `worker` wrote `inline`: it is finished for good. */
  markWritten(worker: string, inline: number): void {
    if (this.holding(worker).delete(inline)) this.writtenCount++;
  }

  /** `worker` stopped: what it held returns to the front of the queue, in inline order. Returns those inlines. */
  giveBack(worker: string): number[] {
    const held = [...this.holding(worker)].sort((a, b) => a - b);
    this.dealt.delete(worker);
    this.queue.unshift(...held);
    return held;
  }

  /** Inlines written through this dealer. */
  get writtenInlines(): number {
    return this.writtenCount;
  }

  /** Whether every inline has been written (nothing queued, nothing held by a worker). */
  get finished(): boolean {
    return this.queue.length === 0 && [...this.dealt.values()].every((held) => held.size === 0);
  }

  private holding(worker: string): Set<number> {
    let held = this.dealt.get(worker);
    if (!held) this.dealt.set(worker, (held = new Set()));
    return held;
  }
}
