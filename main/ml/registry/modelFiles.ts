/**
 * A model on disk, in the standard tfjs layers format: `model.json` (topology + weights manifest), `weights.bin`,
 * and Promethium's `card.json` (the model card). Writes go to a temporary folder renamed when complete.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelCard } from '../../../preload/contract';
import { renameDurably, writeFileAtomically } from '../../files/atomicFile';

export const MODEL_FILES = { topology: 'model.json', weights: 'weights.bin', card: 'card.json' } as const;

export class ModelFilesError extends Error {
  readonly apiCode = 'io';
}

export async function saveModelFolder(dir: string, model: tfl.LayersModel, card: ModelCard): Promise<number> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts?.weightData || !artifacts.weightSpecs) throw new ModelFilesError('tfjs returned no weights to save');
  const weights = new Uint8Array(tf.io.concatenateArrayBuffers([artifacts.weightData].flat()));
  const topology = {
    modelTopology: artifacts.modelTopology,
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
    convertedBy: null,
    weightsManifest: [{ paths: [MODEL_FILES.weights], weights: artifacts.weightSpecs }],
  };
  return writeModelFiles(
    dir,
    new Map([
      [MODEL_FILES.topology, new TextEncoder().encode(JSON.stringify(topology))],
      [MODEL_FILES.weights, weights],
      [MODEL_FILES.card, new TextEncoder().encode(JSON.stringify(card, null, 2))],
    ]),
  );
}

/** Writes a model's files atomically (temporary folder, then rename); returns the total size in bytes. */
export async function writeModelFiles(dir: string, files: ReadonlyMap<string, Uint8Array>): Promise<number> {
  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  try {
    for (const [name, data] of files) await writeFileAtomically(path.join(partial, name), data);
    await rm(dir, { recursive: true, force: true });
    await renameDurably(partial, dir);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  return [...files.values()].reduce((n, data) => n + data.length, 0);
}

export async function readModelFiles(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const name of Object.values(MODEL_FILES)) {
    try {
      files.set(name, new Uint8Array(await readFile(path.join(dir, name))));
    } catch {
      throw new ModelFilesError(`${dir} is not a complete model folder (${name} is missing)`);
    }
  }
  return files;
}

export async function readModelCard(dir: string): Promise<ModelCard> {
  const text = await readFile(path.join(dir, MODEL_FILES.card), 'utf8').catch(() => {
    throw new ModelFilesError(`${dir} has no model card (${MODEL_FILES.card})`);
  });
  return JSON.parse(text) as ModelCard;
}

/** Loads a saved model (files as read from a folder or an archive). */
export async function loadModelFromFiles(files: ReadonlyMap<string, Uint8Array>): Promise<tfl.LayersModel> {
  const topologyBytes = files.get(MODEL_FILES.topology);
  const weights = files.get(MODEL_FILES.weights);
  if (!topologyBytes || !weights) throw new ModelFilesError('the model has no model.json or weights.bin');
  const topology = JSON.parse(new TextDecoder().decode(topologyBytes)) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const weightSpecs = topology.weightsManifest.flatMap((group) => group.weights);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: topology.modelTopology, weightSpecs, weightData }));
}

export async function loadModelFolder(dir: string): Promise<tfl.LayersModel> {
  return loadModelFromFiles(await readModelFiles(dir));
}
