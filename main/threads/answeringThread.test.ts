/**
 * AnsweringThread with a real worker script written to a temporary folder: answers matched to their requests in any
 * order, the process kept alive only while an answer is owed, and a thread that exits failing what it owed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AnsweringThread, type ThreadProtocol } from './answeringThread';

/** Waits `delay` ms, then answers with `value` doubled, fails, or exits with `exit`; says 'started' first (id 0). */
const WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.postMessage({ id: 0, value: 'started' });
parentPort.on('message', ({ id, delay, value, fail, exit, buffer }) => {
  setTimeout(() => {
    if (exit !== undefined) process.exit(exit);
    if (fail) return parentPort.postMessage({ id, error: 'no such value' });
    parentPort.postMessage({ id, value: buffer === undefined ? value * 2 : buffer.byteLength });
  }, delay);
});
`;

interface Ask {
  delay: number;
  value?: number;
  fail?: boolean;
  exit?: number;
  buffer?: ArrayBuffer;
}
type Answer = { id: number; value: number | string } | { id: number; error: string };

const protocol: ThreadProtocol<Answer, number | string> = {
  outcome: (answer) => ('error' in answer ? new Error(`the test thread refused: ${answer.error}`) : answer.value),
  thrown: (error) => error,
  exited: (code) => new Error(`the test thread stopped (exit code ${code})`),
};

const folder = mkdtempSync(path.join(tmpdir(), 'promethium-answering-thread-'));
const script = path.join(folder, 'worker.cjs');
writeFileSync(script, WORKER);
/** The test's thread, terminated after it. */
let current: AnsweringThread<Ask, Answer, number | string>;

/** A thread that has said it started. */
async function startedThread(): Promise<AnsweringThread<Ask, Answer, number | string>> {
  current = new AnsweringThread(script, protocol);
  expect(await current.awaitStart()).toBe('started');
  return current;
}

/** The referenced message ports of this process: a worker's counts while it is referenced. */
function referencedPorts(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'MessagePort').length;
}

afterEach(async () => {
  await current.terminate();
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe('AnsweringThread', () => {
  it('matches each answer to its request, whichever comes first', async () => {
    const thread = await startedThread();
    const order: number[] = [];
    const slow = thread.request({ delay: 80, value: 1 }).then((value) => order.push(Number(value)));
    const fast = thread.request({ delay: 0, value: 2 }).then((value) => order.push(Number(value)));
    expect(thread.load).toBe(2);
    await Promise.all([slow, fast]);
    expect(order).toEqual([4, 2]);
    expect(thread.load).toBe(0);
  });

  it('rejects a request with the error its answer maps to, and goes on answering', async () => {
    const thread = await startedThread();
    await expect(thread.request({ delay: 0, fail: true })).rejects.toThrow('the test thread refused: no such value');
    expect(thread.broken).toBe(false);
    expect(await thread.request({ delay: 0, value: 5 })).toBe(10);
  });

  it('moves the transferred buffers to the thread', async () => {
    const thread = await startedThread();
    const buffer = new ArrayBuffer(64);
    expect(await thread.request({ delay: 0, buffer }, [buffer])).toBe(64);
    expect(buffer.byteLength).toBe(0);
  });

  it('rejects a request that cannot be sent, and owes nothing for it', async () => {
    const thread = await startedThread();
    const idle = referencedPorts();
    await expect(thread.request({ delay: 0, value: 1, unclonable: () => 1 } as Ask)).rejects.toThrow(
      'could not be cloned',
    );
    expect(thread.load).toBe(0);
    expect(referencedPorts()).toBe(idle);
  });

  it('keeps the process alive only while it owes an answer', async () => {
    const thread = await startedThread();
    const idle = referencedPorts();
    const answer = thread.request({ delay: 50, value: 1 });
    expect(referencedPorts()).toBe(idle + 1);
    await answer;
    expect(referencedPorts()).toBe(idle);
  });

  it('fails everything it owes, and every later request, with the caller’s message when it exits', async () => {
    const thread = await startedThread();
    const owed = thread.request({ delay: 200, value: 1 });
    const exiting = thread.request({ delay: 0, exit: 3 });
    await expect(owed).rejects.toThrow('the test thread stopped (exit code 3)');
    await expect(exiting).rejects.toThrow('the test thread stopped (exit code 3)');
    expect(thread.broken).toBe(true);
    expect(thread.load).toBe(0);
    await expect(thread.request({ delay: 0, value: 1 })).rejects.toThrow('the test thread stopped (exit code 3)');
  });
});
