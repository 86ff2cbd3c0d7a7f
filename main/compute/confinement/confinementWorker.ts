/**
 * Entry of a confinement thread (bundled to dist/confinementWorker.cjs): confines a range of a section's traces to
 * what the input holds (processing/confineToInput.ts) and sends the range back as a transferred Float32Array. See
 * confinementThreads.ts for why.
 */
import { parentPort } from 'node:worker_threads';
import { confinementTo } from '../../processing/confineToInput';
import type { ConfinementAnswer, ConfinementTask } from './confinementThreads';

if (parentPort === null) throw new Error('confinementWorker.ts runs only as a worker thread');
const port = parentPort;

port.on('message', (task: ConfinementTask) => {
  let answer: ConfinementAnswer;
  try {
    const confine = confinementTo(task.section, task.shape, task.live, task.options, task.traces);
    answer = { id: task.id, result: confine(task.output) };
  } catch (error) {
    answer = { id: task.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(answer, 'result' in answer ? [answer.result.buffer as ArrayBuffer] : []);
});
