/**
 * Everything inference needs from a saved model: the network, its task and the patch size it was trained on, read from
 * a model folder (registry) or a `.pmodel` archive.
 */
import { readFile } from 'node:fs/promises';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelCard } from '../../preload/contract';
import { loadModelFromFiles, MODEL_FILES, readModelFiles } from './registry/modelFiles';
import { parseModelCard } from './registry/modelCardSchema';
import { readTar } from './registry/tarArchive';

export interface InferenceModel {
  model: tfl.LayersModel;
  card: ModelCard;
  /** The patch size the model was trained on (its receptive field and normalisation statistics match it). */
  patch: number;
  /** Trained with per-patch scaling on top of the survey scale (normalization.ts): inference must scale alike. */
  patchScaling: boolean;
}

function trainedPatch(card: ModelCard): number {
  const training = (card.config as { training?: { patch?: number | { samples: number } } } | null)?.training;
  const patch = training?.patch;
  if (typeof patch === 'number') return patch;
  if (patch && typeof patch.samples === 'number') return patch.samples;
  return 128;
}

/** Whether the model was trained with per-patch scaling (its card's `config.normalization.patchScaling`). */
export function trainedWithPatchScaling(card: ModelCard): boolean {
  const normalization = (card.config as { normalization?: { patchScaling?: unknown } } | null)?.normalization;
  return normalization?.patchScaling === true;
}

export async function loadInferenceModel(location: string): Promise<InferenceModel> {
  const files = location.endsWith('.pmodel')
    ? readTar(new Uint8Array(await readFile(location)))
    : await readModelFiles(location);
  const card = parseModelCard(files.get(MODEL_FILES.card));
  return {
    model: await loadModelFromFiles(files),
    card,
    patch: trainedPatch(card),
    patchScaling: trainedWithPatchScaling(card),
  };
}
