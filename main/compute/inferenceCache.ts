/**
 * What the compute process keeps between jobs so that a click or an apply pays only for its own work: the models it
 * inferred with (loaded once, not per job), each survey's amplitude scale (read from the cache once), and a warm-up
 * that runs the default models once when the process starts (the first click then finds the model loaded, the ONNX
 * Runtime session made or the GPU's shaders compiled).
 *
 * A model is known by its location and the size and time of its weights, so a model file written again is loaded
 * again; a survey cache by its folder and the time of its root metadata.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { loadInferenceModel, type InferenceModel } from '../ml/modelForInference';
import type { AmplitudeScale } from '../ml/normalization';
import { estimateSourceScale, SurveyCachePatchSource } from '../ml/training/patchSource';
import { keepInferenceGraph, releaseInferenceGraph, withGraphPredictor } from '../ml/parallelInference';
import { INFERENCE_BATCH } from '../ml/inference';
import { MODEL_FILES } from '../ml/registry/modelFiles';

/** Models kept loaded (the two default models and a couple of the user's): the oldest is released beyond it. */
const KEPT_MODELS = 4;

const models = new Map<string, Promise<InferenceModel>>();
const scales = new Map<string, Promise<AmplitudeScale>>();

async function versionOf(file: string): Promise<string> {
  const { size, mtimeMs } = await stat(file);
  return `${file}|${size}|${mtimeMs}`;
}

/**
 * The model at `location` (a registry folder or a .pmodel archive), loaded on first use and shared by every job after
 * it: callers must not dispose it.
 */
export async function sharedInferenceModel(location: string): Promise<InferenceModel> {
  const key = await versionOf(location.endsWith('.pmodel') ? location : path.join(location, MODEL_FILES.weights));
  const known = models.get(key);
  if (known) {
    models.delete(key); // re-inserted: the map's order is the order of last use
    models.set(key, known);
    return known;
  }
  const loading = loadInferenceModel(location).then((loaded) => {
    keepInferenceGraph(loaded.model);
    return loaded;
  });
  models.set(key, loading);
  loading.catch(() => models.delete(key));
  while (models.size > KEPT_MODELS) {
    const [oldest, model] = models.entries().next().value!;
    models.delete(oldest);
    void model
      .then(({ model: released }) => {
        releaseInferenceGraph(released);
        released.dispose();
      })
      .catch(() => undefined);
  }
  return loading;
}

/** The survey's amplitude scale (training/patchSource.ts), estimated once per survey cache. */
export async function sharedSurveyScale(cacheDir: string): Promise<AmplitudeScale> {
  const key = await versionOf(path.join(cacheDir, 'zarr.json'));
  const known = scales.get(key);
  if (known) return known;
  const estimating = SurveyCachePatchSource.open(cacheDir).then((source) =>
    estimateSourceScale(source).finally(() => source.close()),
  );
  scales.set(key, estimating);
  estimating.catch(() => scales.delete(key));
  return estimating;
}

/**
 * Loads each model and runs one batch of blank patches through the predictor its reconstructions use: what a first
 * reconstruction would otherwise wait for. Stops as soon as `idle` says a job runs (a warm-up must never slow a job
 * down, nor take the ONNX Runtime session a job uses). A model that fails here is left for the job that needs it to
 * report.
 */
export async function warmUpModels(locations: readonly string[], idle: () => boolean): Promise<void> {
  for (const location of locations) {
    if (!idle()) return;
    try {
      const { model, patch } = await sharedInferenceModel(location);
      if (!idle()) return;
      const channels = model.inputs[0]!.shape[3] ?? 1;
      await withGraphPredictor(model, patch, channels, async (predict) =>
        predict(new Float32Array(INFERENCE_BATCH * patch * patch * channels), INFERENCE_BATCH),
      );
    } catch (error) {
      console.warn(`warming up ${location} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
