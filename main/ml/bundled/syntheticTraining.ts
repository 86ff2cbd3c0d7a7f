/**
 * Training data for the bundled models: inlines of seeded synthetic cubes from main/synth (faults, folds, an
 * unconformity, thin beds, Q), with wavelets of varying peak frequency and phase so the models do not learn a single
 * wavelet. The trainer corrupts them per task (noise models, trace masks).
 */
import { InMemoryPatchSource } from '../training/patchSource';
import { EarthModel } from '../../synth/earthModel';
import { PostStackSynthesizer } from '../../synth/postStack';
import { seededRandom } from '../../synth/random';
import { randomEarthModelSpec } from '../../synth/randomModel';

export interface SyntheticDataSpec {
  cubes: number;
  inlinesPerCube: number;
  crosslines: number;
  samples: number;
  sampleIntervalMs: number;
  seed: number;
}

export const BUNDLED_TRAINING_DATA: SyntheticDataSpec = {
  cubes: 12,
  inlinesPerCube: 24,
  crosslines: 192,
  samples: 384,
  sampleIntervalMs: 4,
  seed: 2026,
};

export function describeSyntheticData(spec: SyntheticDataSpec): string {
  return (
    `${spec.cubes} synthetic cubes (main/synth, seed ${spec.seed}), ${spec.inlinesPerCube} inlines each of ` +
    `${spec.crosslines} traces x ${spec.samples} samples at ${spec.sampleIntervalMs} ms; Ricker 15-45 Hz or Ormsby, ` +
    'phase -90..90 deg, Q 80-250, 0-3 faults, 1-4 folds'
  );
}

export function syntheticSections(spec: SyntheticDataSpec): InMemoryPatchSource {
  const random = seededRandom(spec.seed);
  const between = (a: number, b: number): number => a + (b - a) * random();
  const sections: { data: Float32Array; shape: { traces: number; samples: number } }[] = [];
  for (let cube = 0; cube < spec.cubes; cube++) {
    const extent = {
      inlines: spec.inlinesPerCube,
      crosslines: spec.crosslines,
      durationMs: spec.samples * spec.sampleIntervalMs,
    };
    const model = new EarthModel(
      randomEarthModelSpec(spec.seed * 1000 + cube, extent, {
        faults: Math.floor(between(0, 4)),
        folds: 1 + Math.floor(between(0, 4)),
        meanBedMs: between(6, 16),
      }),
    );
    const phaseDeg = between(-90, 90);
    const wavelet =
      random() < 0.7
        ? { kind: 'ricker' as const, peakHz: between(15, 45), phaseDeg }
        : { kind: 'ormsby' as const, cornersHz: [5, 10, between(35, 50), between(55, 70)] as const, phaseDeg };
    const synthesizer = new PostStackSynthesizer(model, {
      samples: spec.samples,
      sampleIntervalMs: spec.sampleIntervalMs,
      wavelet,
      q: between(80, 250),
    });
    for (let il = 0; il < spec.inlinesPerCube; il++) {
      sections.push({ data: synthesizer.inline(il), shape: { traces: spec.crosslines, samples: spec.samples } });
    }
  }
  return new InMemoryPatchSource(`synthetic (seed ${spec.seed})`, sections);
}
