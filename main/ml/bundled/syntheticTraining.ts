/**
 * Training data for the bundled models, from main/synth with fixed seeds, in two sources (each with its own amplitude
 * scale, as two surveys would have):
 * - post-stack inlines of random cubes (faults, folds, an unconformity, thin beds, Q), with wavelets of varying peak
 *   frequency and phase so the models do not learn a single wavelet;
 * - pre-stack gathers (preStackGathers.ts): NMO hyperbolas with AVO, linear direct and refracted arrivals, sometimes
 *   ground roll, amplitudes decaying with time, end-on and split spreads. Field gathers are full of steep coherent
 *   energy that post-stack sections never show; a denoiser that has seen only flat reflectors removes it as if it were
 *   noise (the first bundled models did so on the Viking Graben shots).
 * The trainer corrupts the clean sections per task (noise models, trace masks).
 */
import { InMemoryPatchSource, type PatchSource } from '../training/patchSource';
import { EarthModel } from '../../synth/earthModel';
import { PostStackSynthesizer } from '../../synth/postStack';
import { seededRandom } from '../../signal/random';
import { randomEarthModelSpec } from '../../synth/randomModel';
import { randomWavelet } from '../../synth/wavelets';
import { preStackGathers, type PreStackDataSpec } from './preStackGathers';

export interface PostStackDataSpec {
  cubes: number;
  inlinesPerCube: number;
  crosslines: number;
  samples: number;
  sampleIntervalMs: number;
}

export interface SyntheticDataSpec {
  postStack: PostStackDataSpec;
  preStack: PreStackDataSpec;
  seed: number;
}

export const BUNDLED_TRAINING_DATA: SyntheticDataSpec = {
  postStack: { cubes: 12, inlinesPerCube: 24, crosslines: 192, samples: 384, sampleIntervalMs: 4 },
  preStack: { earthModels: 12, gathersPerModel: 16, channels: 160, samples: 640, sampleIntervalMs: 4 },
  seed: 2026,
};

/** Three times the cubes and gathers (the first twelve of each are v1's): for the larger v2 models. */
export const LARGE_TRAINING_DATA: SyntheticDataSpec = {
  postStack: { ...BUNDLED_TRAINING_DATA.postStack, cubes: 36 },
  preStack: { ...BUNDLED_TRAINING_DATA.preStack, earthModels: 36 },
  seed: 2026,
};

export function describeSyntheticData(spec: SyntheticDataSpec): string {
  const post = spec.postStack;
  const pre = spec.preStack;
  return (
    `${post.cubes} synthetic cubes (main/synth, seed ${spec.seed}), ${post.inlinesPerCube} inlines each of ` +
    `${post.crosslines} traces x ${post.samples} samples at ${post.sampleIntervalMs} ms; Ricker 15-45 Hz or Ormsby, ` +
    'phase -90..90 deg, Q 80-250, 0-3 faults, 1-4 folds; and ' +
    `${pre.earthModels * pre.gathersPerModel} pre-stack gathers of ${pre.channels} channels x ${pre.samples} samples ` +
    `at ${pre.sampleIntervalMs} ms (NMO hyperbolas with AVO, direct and refracted arrivals, ground roll on some, ` +
    'spherical-divergence decay, end-on and split spreads)'
  );
}

export function postStackSections(spec: PostStackDataSpec, seed: number): InMemoryPatchSource {
  const random = seededRandom(seed);
  const between = (a: number, b: number): number => a + (b - a) * random();
  const sections: { data: Float32Array; shape: { traces: number; samples: number } }[] = [];
  for (let cube = 0; cube < spec.cubes; cube++) {
    const extent = {
      inlines: spec.inlinesPerCube,
      crosslines: spec.crosslines,
      durationMs: spec.samples * spec.sampleIntervalMs,
    };
    const model = new EarthModel(
      randomEarthModelSpec(seed * 1000 + cube, extent, {
        faults: Math.floor(between(0, 4)),
        folds: 1 + Math.floor(between(0, 4)),
        meanBedMs: between(6, 16),
      }),
    );
    const synthesizer = new PostStackSynthesizer(model, {
      samples: spec.samples,
      sampleIntervalMs: spec.sampleIntervalMs,
      wavelet: randomWavelet(random),
      q: between(80, 250),
    });
    for (let il = 0; il < spec.inlinesPerCube; il++) {
      sections.push({ data: synthesizer.inline(il), shape: { traces: spec.crosslines, samples: spec.samples } });
    }
  }
  return new InMemoryPatchSource(`synthetic post-stack (seed ${seed})`, sections);
}

/** The sources the bundled models train on: post-stack inlines, then pre-stack gathers. */
export function syntheticTrainingSources(spec: SyntheticDataSpec): PatchSource[] {
  return [postStackSections(spec.postStack, spec.seed), preStackGathers(spec.preStack, spec.seed + 1)];
}
