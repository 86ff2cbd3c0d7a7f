/**
 * Pre-stack training gathers that look like field shot and CMP gathers rather than like processed, NMO-corrected ones:
 * - reflections on NMO hyperbolas with Shuey AVO (main/synth/gathers.ts) from a random earth model, muted beyond
 *   40-85 degrees on half of the gathers and kept to the far offsets on the others, as raw gathers are not muted;
 * - a direct arrival and one or two refractions: straight lines t = t0 + |x| / v, the steepest and often the strongest
 *   coherent energy of a shot gather, decaying with offset;
 * - ground roll on some gathers (main/synth/noiseModels.ts), slow, dispersive and aliased, as on land data;
 * - geometric spreading: amplitudes fall with time as (1 + t / 200 ms)^-p, p in 0..1.5, from raw (p near 1.5) to
 *   gathers already gain-corrected (p = 0);
 * - end-on spreads with offsets of either sign (the Viking Graben shots run from -3237 to -262 m) and split spreads.
 * Everything here is signal: a denoiser must keep all coherent energy and remove only what is random.
 */
import { InMemoryPatchSource } from '../training/patchSource';
import { EarthModel } from '../../synth/earthModel';
import { CmpGatherSynthesizer } from '../../synth/gathers';
import { groundRollNoise } from '../../synth/noiseModels';
import { seededRandom } from '../../signal/random';
import { randomEarthModelSpec } from '../../synth/randomModel';
import { addWavelet, randomWavelet, waveletTable, type WaveletSpec } from '../../synth/wavelets';

export interface PreStackDataSpec {
  earthModels: number;
  gathersPerModel: number;
  channels: number;
  samples: number;
  sampleIntervalMs: number;
}

interface GatherLayout {
  offsetsM: number[];
  samples: number;
  sampleIntervalMs: number;
}

type Random = () => number;

function between(random: Random, low: number, high: number): number {
  return low + (high - low) * random();
}

/** End-on (one sign of offset, either) or split-spread offsets at 12.5, 25 or 50 m group interval. */
export function randomOffsets(channels: number, random: Random): number[] {
  const spacing = [12.5, 25, 50][Math.floor(random() * 3)]!;
  if (random() < 0.3) {
    const half = (channels - 1) / 2;
    return Array.from({ length: channels }, (_, k) => (k - half) * spacing);
  }
  const near = between(random, 0, 300);
  const sign = random() < 0.5 ? -1 : 1;
  return Array.from({ length: channels }, (_, k) => sign * (near + k * spacing));
}

function rms(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return Math.sqrt(sum / Math.max(1, values.length));
}

/** Adds a linear event t = t0 + |x| / v from offset `fromM` on, its amplitude falling as 1 / (1 + |x| / 2 km). */
function addLinearEvent(
  gather: Float32Array,
  layout: GatherLayout,
  event: { t0Ms: number; velocityMps: number; amplitude: number; fromM: number },
  wavelet: WaveletSpec,
): void {
  const table = waveletTable(wavelet, layout.sampleIntervalMs);
  layout.offsetsM.forEach((offsetM, k) => {
    const distance = Math.abs(offsetM);
    if (distance < event.fromM) return;
    const tMs = event.t0Ms + (1000 * distance) / event.velocityMps;
    const trace = gather.subarray(k * layout.samples, (k + 1) * layout.samples);
    addWavelet(trace, tMs / layout.sampleIntervalMs, event.amplitude / (1 + distance / 2000), table);
  });
}

/** The direct arrival (water or weathering velocity) and 1-2 refractions beyond their crossover offsets. */
function addDirectAndRefractions(
  gather: Float32Array,
  layout: GatherLayout,
  level: number,
  wavelet: WaveletSpec,
  random: Random,
): void {
  const directVelocity = between(random, 1480, 2000);
  addLinearEvent(
    gather,
    layout,
    { t0Ms: between(random, 0, 20), velocityMps: directVelocity, amplitude: level * between(random, 1, 4), fromM: 0 },
    wavelet,
  );
  const refractions = 1 + Math.floor(random() * 2);
  for (let r = 0; r < refractions; r++) {
    const velocityMps = between(random, directVelocity + 300, 5000);
    const t0Ms = between(random, 40, 400);
    // Where the refraction overtakes the direct arrival: t0 + x/v = x/vd.
    const crossoverM = t0Ms / 1000 / (1 / directVelocity - 1 / velocityMps);
    const amplitude = level * between(random, 0.3, 1.5);
    addLinearEvent(gather, layout, { t0Ms, velocityMps, amplitude, fromM: crossoverM }, wavelet);
  }
}

function addGroundRoll(gather: Float32Array, layout: GatherLayout, level: number, seed: number, random: Random) {
  const roll = groundRollNoise(layout.offsetsM, layout.samples, layout.sampleIntervalMs, seed, {
    velocityRangeMps: [between(random, 200, 400), between(random, 600, 1200)],
  });
  const gain = (level * between(random, 0.5, 3)) / Math.max(1e-12, rms(roll));
  for (let i = 0; i < gather.length; i++) gather[i]! += gain * roll[i]!;
}

/** Multiplies every trace by (1 + t / 200 ms)^-power. */
function applySpreading(gather: Float32Array, layout: GatherLayout, power: number): void {
  if (power === 0) return;
  const gains = Float32Array.from(
    { length: layout.samples },
    (_, n) => (1 + (n * layout.sampleIntervalMs) / 200) ** -power,
  );
  for (let i = 0; i < gather.length; i++) gather[i]! *= gains[i % layout.samples]!;
}

function fieldGather(
  synthesizer: CmpGatherSynthesizer,
  layout: GatherLayout,
  crossline: number,
  wavelet: WaveletSpec,
  random: Random,
): Float32Array {
  const gather = synthesizer.gather(0, crossline);
  const level = rms(gather) * 4;
  addDirectAndRefractions(gather, layout, level, wavelet, random);
  if (random() < 0.3) addGroundRoll(gather, layout, level, Math.floor(random() * 2 ** 31), random);
  applySpreading(gather, layout, random() < 0.2 ? 0 : between(random, 0.3, 1.5));
  return gather;
}

export function preStackGathers(spec: PreStackDataSpec, seed: number): InMemoryPatchSource {
  const random = seededRandom(seed);
  const durationMs = spec.samples * spec.sampleIntervalMs;
  const sections: { data: Float32Array; shape: { traces: number; samples: number } }[] = [];
  for (let m = 0; m < spec.earthModels; m++) {
    const extent = { inlines: 1, crosslines: spec.gathersPerModel * 8, durationMs };
    const model = new EarthModel(
      randomEarthModelSpec(seed * 1000 + m, extent, {
        faults: Math.floor(between(random, 0, 3)),
        folds: 1 + Math.floor(between(random, 0, 3)),
        meanBedMs: between(random, 8, 24),
      }),
    );
    const wavelet = randomWavelet(random);
    const layout = {
      offsetsM: randomOffsets(spec.channels, random),
      samples: spec.samples,
      sampleIntervalMs: spec.sampleIntervalMs,
    };
    const synthesizer = new CmpGatherSynthesizer(model, {
      ...layout,
      wavelet,
      q: between(random, 60, 250),
      maxAngleDeg: between(random, 40, 85),
      unmuted: random() < 0.5,
    });
    for (let g = 0; g < spec.gathersPerModel; g++) {
      const data = fieldGather(synthesizer, layout, g * 8, wavelet, random);
      sections.push({ data, shape: { traces: spec.channels, samples: spec.samples } });
    }
  }
  return new InMemoryPatchSource(`synthetic pre-stack gathers (seed ${seed})`, sections);
}
