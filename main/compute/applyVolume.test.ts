import { describe, expect, it } from 'vitest';
import { overlapped } from './applyVolume';

/** Items that finish in the order of `delays` (ms), recording how many ran at once and the order of the writes. */
function recorder(delays: number[]) {
  let running = 0;
  const record = { mostAtOnce: 0, started: [] as number[], written: [] as number[] };
  const reconstruct = async (item: number): Promise<number> => {
    record.started.push(item);
    running++;
    record.mostAtOnce = Math.max(record.mostAtOnce, running);
    await new Promise((resolve) => setTimeout(resolve, delays[item]));
    running--;
    if (delays[item] === 13) throw new Error(`item ${item} failed`);
    return item * 10;
  };
  const write = async (result: number): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    record.written.push(result);
  };
  return { record, reconstruct, write, running: () => running };
}

describe('inlines in flight during an apply', () => {
  it('reconstructs three at once and writes every result in order, whatever order they finish in', async () => {
    const { record, reconstruct, write } = recorder([30, 5, 20, 1, 25, 2, 8]);
    await overlapped([0, 1, 2, 3, 4, 5, 6], reconstruct, write, new AbortController().signal);
    expect(record.written).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(record.mostAtOnce).toBe(3);
  });

  it('throws the first failure in order, after the reconstructions already started have ended', async () => {
    const { record, reconstruct, write, running } = recorder([5, 13, 40, 30, 1]);
    await expect(overlapped([0, 1, 2, 3, 4], reconstruct, write, new AbortController().signal)).rejects.toThrow(
      'item 1 failed',
    );
    expect(record.written).toEqual([0]);
    expect(record.started).toEqual([0, 1, 2, 3]);
    // Items 2 and 3 (40 and 30 ms) had ended: nothing of the job keeps running after it reports.
    expect(running()).toBe(0);
  });

  it('starts nothing new once cancelled, and writes what was started', async () => {
    const controller = new AbortController();
    const { record, reconstruct, write } = recorder([5, 5, 5, 5, 5, 5, 5, 5]);
    let startedBeforeCancel = 0;
    const writeThenCancel = async (result: number) => {
      await write(result);
      if (result !== 10) return;
      controller.abort();
      startedBeforeCancel = record.started.length;
    };
    const items = [0, 1, 2, 3, 4, 5, 6, 7];
    await expect(overlapped(items, reconstruct, writeThenCancel, controller.signal)).rejects.toThrow();
    expect(record.started.length).toBe(startedBeforeCancel);
    expect(record.started.length).toBeLessThan(items.length);
    // Whatever was reconstructed before the cancel may still be written, in order.
    expect(record.written).toEqual(record.written.map((_, k) => 10 * k));
  });
});
