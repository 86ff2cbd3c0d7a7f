/**
 * Entry of a compute thread (bundled to dist/computeThreadWorker.cjs): confines a range of a section's traces to what
 * the input holds (processing/confineToInput.ts), or bandpasses one (the strength check's lowpass), and sends the
 * range back as a transferred Float32Array. See computeThreads.ts for why.
 */
import { parentPort } from 'node:worker_threads';
import { bandpass } from '../../processing/bandpass';
import { confinementTo } from '../../processing/confineToInput';
import type { ThreadAnswer, ThreadRequest, ThreadTask } from './computeThreads';

if (parentPort === null) throw new Error('computeThreadWorker.ts runs only as a worker thread');
const port = parentPort;

function run(task: ThreadTask): Float32Array {
  if (task.kind === 'bandpass') return bandpass(task.section, task.shape, task.options);
  return confinementTo(task.section, task.shape, task.live, task.options, task.traces)(task.output);
}

port.on('message', ({ id, task }: ThreadRequest) => {
  let answer: ThreadAnswer;
  try {
    answer = { id, result: run(task) };
  } catch (error) {
    answer = { id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(answer, 'result' in answer ? [answer.result.buffer as ArrayBuffer] : []);
});
