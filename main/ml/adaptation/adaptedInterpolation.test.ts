/**
 * Test-time adaptation of the bundled interpolator on a generated section: what the fine-tuning may learn from, and the
 * choice's guarantee (never below the best classical method on the live traces held out of the fine-tuning).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../backends';
import { loadInferenceModel, type InferenceModel } from '../modelForInference';
import { robustAmplitudeScale } from '../normalization';
import { applyTraceMask, gapTraceMask, randomTraceMask, regularTraceMask } from '../../signal/corruption';
import { LayeredVolume } from '../../synth/layeredVolume';
import type { FineTunedModel } from './fineTune';
import {
  adaptInterpolator,
  choiceTraces,
  interpolateWithAdaptedChoice,
  trainingSection,
  type InterpolationPanel,
} from './adaptedInterpolation';

const shape = { traces: 96, samples: 128 };
const clean = new LayeredVolume({ inlines: 2, crosslines: shape.traces, samples: shape.samples, seed: 41 });
const baseDir = path.resolve('resources/models/unet_interp_v1');

function panel(inline: number, live: Uint8Array): InterpolationPanel {
  return { section: applyTraceMask(clean.inline(inline), shape, live), shape, live };
}

describe('test-time adaptation of the interpolator', () => {
  let base: InferenceModel;
  let adapted: FineTunedModel;
  const trainedOn = panel(0, randomTraceMask(shape.traces, 0.5, 3));

  beforeAll(async () => {
    await chooseBackend('wasm');
    base = await loadInferenceModel(baseDir);
    adapted = (await adaptInterpolator({ dir: baseDir, model: base }, [trainedOn], 2))!;
  }, 120_000);
  afterAll(async () => {
    await adapted?.dispose();
    base?.model.dispose();
  });

  it('keeps the traces the choice scores out of the fine-tuning, and everything else in', () => {
    const held = choiceTraces(trainedOn.live);
    const trained = trainingSection(trainedOn);
    const heldCount = held.reduce((n, h) => n + h, 0);
    expect(heldCount).toBeGreaterThan(4);
    for (let t = 0; t < shape.traces; t++) {
      const trace = trained.subarray(t * shape.samples, (t + 1) * shape.samples);
      const original = trainedOn.section.subarray(t * shape.samples, (t + 1) * shape.samples);
      if (held[t]) expect(trainedOn.live[t]).toBe(1);
      expect(Array.from(trace)).toEqual(held[t] ? Array.from(new Float32Array(shape.samples)) : Array.from(original));
    }
    expect(adapted.steps).toBeGreaterThan(0);
  });

  it('never scores below the best classical method on the held-out traces, and keeps live traces exact', async () => {
    const masks = {
      random: randomTraceMask(shape.traces, 0.5, 3),
      decimation: regularTraceMask(shape.traces, 4, 1).map((kept) => 1 - kept),
      gaps: gapTraceMask(shape.traces, 3, 8, 9),
    };
    for (const [kind, live] of Object.entries(masks)) {
      const input = panel(kind === 'random' ? 0 : 1, live);
      const scale = robustAmplitudeScale(input.section, shape);
      const choice = await interpolateWithAdaptedChoice({ base, adapted: adapted.model }, input, {
        scale,
        sampleIntervalS: 0.004,
      });
      expect(choice.classicalSnrDb, kind).not.toBeNull();
      expect(choice.check.heldOutSnrDb!, kind).toBeGreaterThanOrEqual(choice.classicalSnrDb!);
      expect(choice.check.heldOutTraces, kind).toBe(choiceTraces(live).reduce((n, h) => n + h, 0));
      for (let t = 0; t < shape.traces; t++) {
        if (!live[t]) continue;
        const at = [t * shape.samples, (t + 1) * shape.samples] as const;
        expect(Array.from(choice.output.subarray(...at)), `${kind} trace ${t}`).toEqual(
          Array.from(input.section.subarray(...at)),
        );
      }
    }
  }, 120_000);

  it('has nothing to adapt to where no trace is missing', async () => {
    const full = panel(0, new Uint8Array(shape.traces).fill(1));
    expect(await adaptInterpolator({ dir: baseDir, model: base }, [full], 2)).toBeNull();
  });
});
