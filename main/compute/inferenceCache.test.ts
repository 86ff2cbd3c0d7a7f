import { cp, mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../ml/backends';
import { loadInferenceModel } from '../ml/modelForInference';
import { withGraphPredictor } from '../ml/parallelInference';
import { estimateSourceScale, SurveyCachePatchSource } from '../ml/training/patchSource';
import { predictTiled } from '../ml/tiling';
import { SurveyCacheWriter } from '../survey/cacheWriter';
import { LayeredVolume } from '../synth/layeredVolume';
import { sharedInferenceModel, sharedSurveyScale, warmUpModels } from './inferenceCache';

const BUNDLED = path.resolve('resources/models/unet_denoise_v1');
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'promethium-inference-cache-'));
  // The folded graph in this thread (no ONNX Runtime, no inference threads): the path GPU backends take.
  await chooseBackend('wasm');
  process.env.PROMETHIUM_INFERENCE_ENGINE = 'tfjs';
  process.env.PROMETHIUM_INFERENCE_THREADS = '1';
});

afterAll(async () => {
  delete process.env.PROMETHIUM_INFERENCE_ENGINE;
  delete process.env.PROMETHIUM_INFERENCE_THREADS;
  await rm(dir, { recursive: true, force: true });
});

describe('what the compute process keeps between jobs', () => {
  it('loads a model once, and again once its weights are written again', async () => {
    const copy = path.join(dir, 'model');
    await cp(BUNDLED, copy, { recursive: true });
    const first = await sharedInferenceModel(copy);
    expect(await sharedInferenceModel(copy)).toBe(first);
    const later = new Date(Date.now() + 60_000);
    await utimes(path.join(copy, 'weights.bin'), later, later);
    const reloaded = await sharedInferenceModel(copy);
    expect(reloaded).not.toBe(first);
    expect(reloaded.card.name).toBe(first.card.name);
  });

  it("infers with the kept graph as with a fresh model's, several sections at once sharing its batches", async () => {
    const shared = await sharedInferenceModel(BUNDLED);
    const fresh = await loadInferenceModel(BUNDLED);
    const shape = { traces: 150, samples: 140 };
    const sections = [1, 2, 3].map((seed) =>
      Float32Array.from({ length: shape.traces * shape.samples }, (_, i) => Math.sin(i / (7 + seed)) + 0.1 * seed),
    );
    const tiling = { patch: { samples: 128, traces: 128 }, batchSize: 2 };
    const infer = (model: typeof shared.model, section: Float32Array) =>
      withGraphPredictor(model, 128, 1, (predict, inFlight) =>
        predictTiled([section], shape, { ...tiling, inFlight }, predict),
      );
    const together = await Promise.all(sections.map((section) => infer(shared.model, section)));
    for (const [k, section] of sections.entries()) {
      const alone = await infer(fresh.model, section);
      const largest = alone.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      const difference = alone.reduce((a, v, i) => Math.max(a, Math.abs(v - together[k]![i]!)), 0);
      expect(difference / largest).toBeLessThan(1e-5);
    }
    fresh.model.dispose();
  }, 120_000);

  it("estimates a survey's amplitude scale once per cache", async () => {
    const [inlines, crosslines, samples] = [3, 10, 30];
    const volume = new LayeredVolume({ inlines, crosslines, samples, seed: 5 });
    const cacheDir = path.join(dir, 'cache');
    const writer = await SurveyCacheWriter.create(cacheDir, {
      inlines: [1, 2, 3],
      crosslines: Array.from({ length: crosslines }, (_, j) => 10 + j),
      samples: { count: samples, start: 0, interval: 4, unit: 'ms' },
    });
    for (let il = 0; il < inlines; il++) {
      const values = volume.inline(il);
      for (let xl = 0; xl < crosslines; xl++)
        await writer.writeTrace(il, xl, values.subarray(xl * samples, (xl + 1) * samples));
    }
    await writer.finish();
    const scale = await sharedSurveyScale(cacheDir);
    expect(await sharedSurveyScale(cacheDir)).toBe(scale);
    const source = await SurveyCachePatchSource.open(cacheDir);
    expect(scale).toEqual(await estimateSourceScale(source));
    await source.close();
  });

  it('warms up without failing on a model it cannot load, and not at all while a job runs', async () => {
    await expect(warmUpModels([path.join(dir, 'no-such-model')], () => true)).resolves.toBeUndefined();
    const copy = path.join(dir, 'busy-model');
    await cp(BUNDLED, copy, { recursive: true });
    let asked = 0;
    await warmUpModels([copy], () => {
      asked++;
      return false;
    });
    expect(asked).toBe(1);
  });
});
