import { describe, expect, it } from 'vitest';
import { InlineDealer } from './inlineDealer';

describe('InlineDealer', () => {
  it('deals every inline once, in order, to whoever asks', () => {
    const dealer = new InlineDealer([3, 4, 5]);
    expect([dealer.next('a'), dealer.next('b'), dealer.next('a'), dealer.next('b')]).toEqual([3, 4, 5, null]);
    expect(dealer.finished).toBe(false);
    for (const [worker, inline] of [
      ['a', 3],
      ['b', 4],
      ['a', 5],
    ] as const)
      dealer.markWritten(worker, inline);
    expect(dealer.finished).toBe(true);
    expect(dealer.writtenInlines).toBe(3);
  });

  it("puts a stopped worker's unwritten inlines at the front of the queue", () => {
    const dealer = new InlineDealer([0, 1, 2, 3, 4]);
    dealer.next('a'); // 0
    dealer.next('b'); // 1
    dealer.next('a'); // 2
    dealer.markWritten('a', 0);
    expect(dealer.giveBack('a')).toEqual([2]);
    expect(dealer.next('b')).toBe(2);
    expect(dealer.next('b')).toBe(3);
  });

  it('is not finished while a worker holds an inline, even with the queue empty', () => {
    const dealer = new InlineDealer([7]);
    dealer.next('a');
    expect(dealer.next('b')).toBeNull();
    expect(dealer.finished).toBe(false);
    dealer.giveBack('a');
    expect(dealer.next('b')).toBe(7);
  });

  it('counts an inline written twice (after a give-back raced its write) once', () => {
    const dealer = new InlineDealer([1]);
    dealer.next('a');
    dealer.markWritten('a', 1);
    dealer.markWritten('a', 1);
    expect(dealer.writtenInlines).toBe(1);
  });
});
