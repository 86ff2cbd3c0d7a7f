import { describe, expect, it } from 'vitest';
import { patchBatcher } from './patchBatcher';
import type { PatchPredictor } from './tiling';

/** Patches of 2 input values (two channels of one pixel) whose prediction is their sum; records each call's size. */
function summingNetwork(calls: number[]): PatchPredictor {
  return async (batch, count) => {
    calls.push(count);
    return Float32Array.from({ length: count }, (_, n) => batch[2 * n]! + batch[2 * n + 1]!);
  };
}

/** `count` patches numbered from `first`: patch n holds (n, 1000 n), so its sum names it. */
function patches(first: number, count: number): Float32Array {
  return Float32Array.from({ length: 2 * count }, (_, i) => (first + (i >> 1)) * (i % 2 ? 1000 : 1));
}

const sums = (first: number, count: number): number[] => Array.from({ length: count }, (_, n) => 1001 * (first + n));

describe('patch batcher', () => {
  it('joins the requests that arrive together into one call and hands each its own predictions', async () => {
    const calls: number[] = [];
    const predict = patchBatcher(summingNetwork(calls), {
      inputPerPatch: 2,
      outputPerPatch: 1,
      maxPatches: 64,
      fixedBatch: false,
    });
    const answers = await Promise.all([
      predict(patches(0, 16), 16),
      predict(patches(16, 5), 5),
      predict(patches(21, 9), 9),
    ]);
    expect(calls).toEqual([30]);
    expect(answers.map((a) => Array.from(a))).toEqual([sums(0, 16), sums(16, 5), sums(21, 9)]);
  });

  it('calls the network as soon as a batch is full, and pads every call to the full batch when asked', async () => {
    const calls: number[] = [];
    const predict = patchBatcher(summingNetwork(calls), {
      inputPerPatch: 2,
      outputPerPatch: 1,
      maxPatches: 32,
      fixedBatch: true,
    });
    const answers = await Promise.all([0, 16, 32, 48, 64].map((first) => predict(patches(first, 16), 16)));
    expect(calls).toEqual([32, 32, 32]);
    expect(answers.map((a) => Array.from(a))).toEqual([0, 16, 32, 48, 64].map((first) => sums(first, 16)));
    // A request that does not fit beside the waiting ones starts a batch of its own.
    calls.length = 0;
    await Promise.all([predict(patches(0, 20), 20), predict(patches(20, 20), 20)]);
    expect(calls).toEqual([32, 32]);
  });

  it('fails every request of a failed call, and refuses a request larger than a batch', async () => {
    const predict = patchBatcher(
      async () => {
        throw new Error('device lost');
      },
      { inputPerPatch: 2, outputPerPatch: 1, maxPatches: 8, fixedBatch: false },
    );
    const results = await Promise.allSettled([predict(patches(0, 2), 2), predict(patches(2, 2), 2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(() => predict(patches(0, 9), 9)).toThrow(/request of 9 patches exceeds the batch of 8/);
  });
});
