/**
 * Applies parsed noise and missing-trace specs to one section (an inline, a line or a gather), reusing the noise
 * models and masks of main/signal/corruption.ts. Each section draws its own seeds from the run's seed and its index, so
 * sections can be corrupted independently and in any order. SNRs are set per section against its clean signal.
 */
import {
  addNoiseAtSnr,
  bandLimitedNoise,
  gapTraceMask,
  gaussianNoise,
  randomTraceMask,
  regularTraceMask,
  spikeNoise,
  swellNoise,
} from '../signal/corruption';
import type { TraceMask } from '../signal/corruption';
import type { SectionShape } from '../signal/metrics';
import { applyFootprint, groundRollNoise } from './noiseModels';
import { deriveSeed } from '../signal/random';
import { SynthSpecError } from './specs';
import type { MissingSpec, NoiseComponent } from './specs';

export interface SectionContext {
  readonly shape: SectionShape;
  readonly sampleIntervalMs: number;
  /** The run's seed and the section's index (inline number, gather number). */
  readonly seed: number;
  readonly section: number;
  /** The inline index for the footprint's across-inline stripes (cubes); undefined for lines and gathers. */
  readonly inline?: number;
  /** Trace offsets (m) of a gather; ground roll needs them. */
  readonly offsetsM?: readonly number[];
}

type AdditiveNoise = Exclude<NoiseComponent, { kind: 'footprint' }>;

function noiseSection(component: AdditiveNoise, context: SectionContext, seed: number): Float32Array {
  const { shape, sampleIntervalMs } = context;
  const cyclesPerSample = (hz: number): number => (hz * sampleIntervalMs) / 1000;
  switch (component.kind) {
    case 'gaussian':
      return gaussianNoise(shape, seed);
    case 'bandlimited':
      return bandLimitedNoise(shape, seed, {
        low: cyclesPerSample(component.lowHz),
        high: Math.min(0.5, cyclesPerSample(component.highHz)),
      });
    case 'swell':
      // Bursts over a few traces every ~25 traces, below 5 Hz, up to half a trace long: marine swell noise.
      return swellNoise(shape, seed, {
        bursts: Math.max(1, Math.round(shape.traces / 25)),
        maxTraces: 4,
        maxSamples: Math.ceil(shape.samples / 2),
        band: { low: 0, high: Math.min(0.5, cyclesPerSample(5)) },
      });
    case 'spikes':
      return spikeNoise(shape, seed, { density: 5e-4, maxBurstSamples: 4 });
    case 'groundroll':
      if (!context.offsetsM) throw new SynthSpecError('ground roll is pre-stack noise: use it on gathers only');
      return groundRollNoise(context.offsetsM, shape.samples, sampleIntervalMs, seed);
  }
}

/** Throws SynthSpecError for noise that does not apply to this kind of section (before any work is done). */
export function checkNoiseApplies(components: readonly NoiseComponent[], preStack: boolean): void {
  if (!preStack && components.some((c) => c.kind === 'groundroll')) {
    throw new SynthSpecError('ground roll is pre-stack noise: use it with gathers, not with cubes or lines');
  }
  if (preStack && components.some((c) => c.kind === 'footprint')) {
    throw new SynthSpecError('the acquisition footprint is a stack artefact: use it with cubes or lines, not gathers');
  }
}

/**
 * The noisy section: the clean one modulated by the footprint (if asked), plus each additive noise scaled to its SNR
 * against the clean section.
 */
export function corruptSection(
  clean: Float32Array,
  components: readonly NoiseComponent[],
  context: SectionContext,
): Float32Array {
  let noisy = clean;
  for (const component of components) {
    if (component.kind !== 'footprint') continue;
    noisy = applyFootprint(noisy, context.shape, context.inline ?? 0, {
      strength: component.strength,
      sampleIntervalMs: context.sampleIntervalMs,
      periodInlines: context.inline === undefined ? 0 : undefined,
    });
  }
  if (noisy === clean) noisy = clean.slice();
  components.forEach((component, index) => {
    if (component.kind === 'footprint') return;
    const seed = deriveSeed(context.seed, 'noise', component.kind, index, context.section);
    const withNoise = addNoiseAtSnr(clean, noiseSection(component, context, seed), component.snrDb);
    for (let i = 0; i < noisy.length; i++) noisy[i]! += withNoise[i]! - clean[i]!;
  });
  return noisy;
}

/** The section's live-trace mask (1 = live) for a missing-trace spec. */
export function missingTraceMask(spec: MissingSpec, traces: number, seed: number, section: number): TraceMask {
  const sectionSeed = deriveSeed(seed, 'missing', section);
  switch (spec.kind) {
    case 'none':
      return new Uint8Array(traces).fill(1);
    case 'random':
      return randomTraceMask(traces, spec.fraction, sectionSeed);
    case 'regular':
      return regularTraceMask(traces, spec.keepEvery);
    case 'gaps':
      try {
        return gapTraceMask(traces, spec.count, spec.width, sectionSeed);
      } catch (error) {
        throw new SynthSpecError(
          `${spec.count} gap(s) of ${spec.width} traces do not fit in a section of ${traces} traces`,
          { cause: error },
        );
      }
  }
}
