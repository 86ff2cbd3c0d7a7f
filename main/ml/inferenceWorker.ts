/**
 * Entry of an inference worker thread (bundled to dist/inferenceWorker.cjs): its own tfjs on the wasm backend, one
 * model's folded inference graph, and patch batches in and predictions out as transferred Float32Arrays. See
 * parallelInference.ts for why and how the batches are spread.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { chooseBackend } from './backends';
import { buildInferenceGraph, type InferenceGraph } from './inferenceGraph';
import type { ToWorker, FromWorker } from './parallelInference';

if (parentPort === null) throw new Error('inferenceWorker.ts runs only as a worker thread');
const port = parentPort;
const reply = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

let current: { key: string; model: tfl.LayersModel; graph: InferenceGraph } | null = null;

async function loadModel(key: string, artifacts: tf.io.ModelArtifacts): Promise<void> {
  if (current?.key === key) return;
  const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  const graph = buildInferenceGraph(model);
  if (current !== null) {
    current.graph.dispose();
    current.model.dispose();
  }
  current = { key, model, graph };
}

function predict(batch: Float32Array, shape: [number, number, number, number]): Float32Array {
  if (current === null) throw new Error('no model loaded in the inference worker');
  const { graph } = current;
  const output = tf.tidy(() => graph.predict(tf.tensor4d(batch, shape)));
  const values = output.dataSync() as Float32Array;
  output.dispose();
  return values;
}

port.on('message', (message: ToWorker) => {
  void (async () => {
    try {
      if (message.type === 'model') {
        await loadModel(message.key, message.artifacts);
        reply({ id: message.id, type: 'done' });
      } else {
        const values = predict(message.batch, message.shape);
        reply({ id: message.id, type: 'prediction', values }, [values.buffer as ArrayBuffer]);
      }
    } catch (error) {
      reply({ id: message.id, type: 'error', message: errorText(error) });
    }
  })();
});

chooseBackend('wasm').then(
  (report) => reply({ id: 0, type: 'ready', device: report.device }),
  (error: unknown) => reply({ id: 0, type: 'error', message: `wasm backend failed: ${errorText(error)}` }),
);
