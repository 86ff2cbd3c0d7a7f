/**
 * The 'reconstruct-section' job: one inline or crossline of a survey reconstructed by a model or a classical method,
 * with the QC figures of the compare view. The panels travel back as typed arrays (structured clone), not JSON.
 */
import {
  SIGNAL_LEAKAGE_WARNING,
  type JobRequest,
  type ReconstructionQc,
  type SectionData,
} from '../../preload/contract';
import { patchesPerPass, plannedModelPasses, reconstructSection, type Reconstruction } from '../ml/inference';
import { signalLeakage, signalToNoiseDb, type SectionShape } from '../signal/metrics';
import type { InferenceModel } from '../ml/modelForInference';
import type { AmplitudeScale } from '../ml/normalization';
import { denoiseMethods, interpolationMethods } from '../processing';
import { averageAmplitudeSpectrum } from '../signal/spectrum';
import { SurveyCache } from '../survey/cache';
import { sampleIntervalSeconds } from '../survey/scalars';
import { seededRandom } from '../signal/random';
import { bandpassOnThreads, confinementOnThreads } from './threads/computeThreads';
import { sharedInferenceModel, sharedSurveyScale } from './inferenceCache';
import type { JobContext } from './protocol';

type ReconstructRequest = Extract<JobRequest, { kind: 'reconstruct-section' }>;

export interface SectionReconstructionOutput {
  input: Omit<SectionData, 'surveyId'>;
  result: Float32Array;
  difference: Float32Array;
  uncertainty: Float32Array | null;
  qc: ReconstructionQc;
}

/** Fraction of live traces the interpolation self-check hides. */
const SELF_CHECK_FRACTION = 0.1;

/**
 * A reconstruction confined to what the input holds. The full-strength result is confined only when asked for: the
 * one-click's leakage QC needs it, Apply to volume does not (confining it doubled the apply's confinement, the largest
 * cost around the network).
 */
export interface ConfinedReconstruction extends Omit<Reconstruction, 'fullStrengthOutput'> {
  fullStrengthOutput: (() => Promise<Float32Array>) | null;
}

/** A model or classical method over one section, its result as it comes (confined() confines it). */
type SectionMethod = (section: Float32Array, shape: SectionShape, live: Uint8Array) => Promise<Reconstruction>;

export type Reconstructor = (
  section: Float32Array,
  shape: SectionShape,
  live: Uint8Array,
) => Promise<ConfinedReconstruction>;

/** The user's choice of reconstruction, as the section and volume jobs both carry it. */
export type ReconstructionChoice = Pick<
  ReconstructRequest,
  'task' | 'model' | 'method' | 'tta' | 'ensemble' | 'fullStrength'
>;

/** A reconstruction ready to run on sections, its name for reports, and the model patches it predicts per section. */
export interface PreparedReconstruction {
  run: Reconstructor;
  method: string;
  /** Patches the model predicts over a section of `shape`, all passes (at most, with the blend check); 0: classical. */
  plannedPatches: (shape: SectionShape) => number;
}

/**
 * The model (with the survey's amplitude scale from `cacheDir`; both kept between jobs: inferenceCache.ts) or
 * classical method. `onPatches` hears of every batch of patches the model predicts (progress from work done).
 */
export async function reconstructor(
  request: ReconstructionChoice,
  cacheDir: string,
  dt: number,
  onPatches?: (count: number) => void,
): Promise<PreparedReconstruction> {
  if (request.model) {
    const loaded: InferenceModel = await sharedInferenceModel(request.model.dir);
    if (loaded.card.task !== request.task) {
      throw Object.assign(
        new Error(`model ${loaded.card.name} was trained to ${loaded.card.task}, not to ${request.task}`),
        {
          apiCode: 'invalid-argument',
        },
      );
    }
    const scale: AmplitudeScale = await sharedSurveyScale(cacheDir);
    const options = {
      task: request.task,
      scale,
      patch: loaded.patch,
      patchScaling: loaded.patchScaling,
      tta: request.tta,
      ensemble: request.ensemble,
      strengthCheck: request.fullStrength ? null : { sampleIntervalS: dt, bandpass: bandpassOnThreads },
      blendCheck: { sampleIntervalS: dt },
      onPatches,
    };
    const run: SectionMethod = (section, shape, live) =>
      reconstructSection(loaded.model, section, shape, live, options);
    return {
      run: confined(run, request.task, dt),
      method: `model ${request.model.name}`,
      plannedPatches: (shape) => plannedModelPasses(options) * patchesPerPass(shape, loaded.patch),
    };
  }
  const method = request.method ?? (request.task === 'denoise' ? 'fx' : 'pocs');
  const classical: SectionMethod = async (section, shape, live) => {
    if (request.task === 'denoise') {
      if (method === 'fx') return classicalResult(denoiseMethods.fx(section, shape, { dt }));
      if (method === 'median' || method === 'fk') return classicalResult(denoiseMethods[method](section, shape));
    } else {
      if (method === 'pocs') return classicalResult(interpolationMethods.pocs(section, shape, live, { dt }));
      if (method === 'linear') return classicalResult(interpolationMethods.linear(section, shape, live));
      if (method === 'slope') return classicalResult(interpolationMethods.slope(section, shape, live));
    }
    throw Object.assign(new Error(`${method} is not a ${request.task} method`), { apiCode: 'invalid-argument' });
  };
  return { run: confined(classical, request.task, dt), method, plannedPatches: () => 0 };
}

/** Every result confined to what the input holds: no energy in mutes, outside live windows or below its band. */
function confined(run: SectionMethod, task: ReconstructionChoice['task'], dt: number): Reconstructor {
  return async (section, shape, live) => {
    const reconstruction = await run(section, shape, live);
    const confine = confinementOnThreads(section, shape, live, { task, sampleIntervalS: dt });
    const { output, fullStrengthOutput } = reconstruction;
    return {
      ...reconstruction,
      output: await confine(output),
      fullStrengthOutput: fullStrengthOutput && (() => confine(fullStrengthOutput)),
    };
  };
}

function classicalResult(output: Float32Array): Reconstruction {
  return { output, uncertainty: null, strength: null, fullStrengthOutput: null, blend: null };
}

function rms(values: Float32Array, shape: SectionShape, live: Uint8Array): number {
  let sum = 0;
  let count = 0;
  for (let t = 0; t < shape.traces; t++) {
    if (!live[t]) continue;
    for (let s = 0; s < shape.samples; s++) sum += values[t * shape.samples + s]! ** 2;
    count += shape.samples;
  }
  return count ? Math.sqrt(sum / count) : 0;
}

/** Hides a few live traces, reconstructs, and scores the method on them: a check that needs no clean reference. */
async function selfCheck(
  run: Reconstructor,
  section: Float32Array,
  shape: SectionShape,
  live: Uint8Array,
): Promise<number | null> {
  const random = seededRandom(12345);
  const hidden = [...live.keys()].filter((t) => live[t] && random() < SELF_CHECK_FRACTION);
  if (hidden.length === 0) return null;
  const masked = Uint8Array.from(live);
  const input = Float32Array.from(section);
  for (const t of hidden) {
    masked[t] = 0;
    input.fill(0, t * shape.samples, (t + 1) * shape.samples);
  }
  const { output } = await run(input, shape, masked);
  const pick = (values: Float32Array): Float32Array => {
    const out = new Float32Array(hidden.length * shape.samples);
    hidden.forEach((t, k) => out.set(values.subarray(t * shape.samples, (t + 1) * shape.samples), k * shape.samples));
    return out;
  };
  return signalToNoiseDb(pick(section), pick(output));
}

export async function reconstructSurveySection(
  request: ReconstructRequest,
  context: JobContext,
): Promise<SectionReconstructionOutput> {
  const started = performance.now();
  const cache = await SurveyCache.open(request.cacheDir);
  try {
    const [inlines, crosslines, samples] = cache.attributes.shape;
    const isInline = request.axis === 'inline';
    const count = isInline ? inlines : crosslines;
    if (request.index >= count)
      throw Object.assign(new Error(`${request.axis} index ${request.index} is outside 0..${count - 1}`), {
        apiCode: 'invalid-argument',
      });
    const { data: section } = isInline ? await cache.inline(request.index) : await cache.crossline(request.index);
    const mask = cache.liveMask().data;
    const traces = isInline ? crosslines : inlines;
    const live = Uint8Array.from({ length: traces }, (_, t) =>
      isInline ? mask[request.index * crosslines + t]! : mask[t * crosslines + request.index]!,
    );
    const shape = { traces, samples };
    const axis = cache.attributes.sampleAxis;
    const dt = sampleIntervalSeconds(axis);
    context.progress(0.1, 'loading the method');
    const verb = request.task === 'denoise' ? 'denoising' : 'interpolating';
    let predicted = 0;
    let planned = 0;
    const { run, method, plannedPatches } = await reconstructor(request, request.cacheDir, dt, (count) => {
      predicted += count;
      const share = Math.min(1, predicted / planned);
      context.progress(0.2 + 0.6 * share, `${verb} ${request.label}: ${predicted} of ${planned} patches predicted`);
    });
    // Interpolation runs once more for its self-check.
    planned = plannedPatches(shape) * (request.task === 'interpolate' ? 2 : 1);
    // Answered before any work (a model over a whole line only to report 0 traces filled).
    if (request.task === 'interpolate' && live.every((v) => v === 1)) {
      throw Object.assign(new Error(`${request.label} has no dead or missing traces: there is nothing to fill`), {
        apiCode: 'invalid-argument',
      });
    }
    context.progress(0.2, `${verb} ${request.label}`);
    const { output: result, uncertainty, strength, fullStrengthOutput, blend } = await run(section, shape, live);
    const selfCheckSnrDb = request.task === 'interpolate' ? await selfCheck(run, section, shape, live) : null;
    const difference = Float32Array.from(section, (v, i) => v - result[i]!);
    context.progress(0.8, 'quality figures');
    const inputSpectrum = averageAmplitudeSpectrum(section, shape, dt, live);
    const qc: ReconstructionQc = {
      method,
      seconds: 0,
      removedRmsRatio:
        request.task === 'denoise' ? rms(difference, shape, live) / (rms(section, shape, live) || 1) : null,
      // Against the model's full-strength result where the strength check kept some noise (metrics.ts says why).
      signalLeakage:
        request.task === 'denoise'
          ? signalLeakage(section, result, shape, (await fullStrengthOutput?.()) ?? result)
          : null,
      tracesFilled: request.task === 'interpolate' ? live.reduce((n, v) => n + (v ? 0 : 1), 0) : null,
      selfCheckSnrDb,
      strength,
      blend,
      spectra: {
        frequenciesHz: inputSpectrum.frequenciesHz,
        input: inputSpectrum.amplitude,
        result: averageAmplitudeSpectrum(result, shape, dt, request.task === 'denoise' ? live : undefined).amplitude,
        difference: averageAmplitudeSpectrum(difference, shape, dt).amplitude,
      },
      warnings: [],
    };
    qc.warnings = qcWarnings(qc);
    qc.seconds = (performance.now() - started) / 1000;
    const numbers = isInline ? cache.crosslineNumbers : cache.inlineNumbers;
    return {
      input: {
        axis: request.axis,
        index: request.index,
        count,
        label: request.label,
        traces,
        samples,
        data: section,
        live,
        traceAxis: { name: request.traceAxisName, values: numbers },
        sampleAxis: { name: 'time', unit: axis.unit, start: axis.start, interval: axis.interval },
      },
      result,
      difference,
      uncertainty,
      qc,
    };
  } finally {
    await cache.close();
  }
}

/** The figures that should stop an interpreter from trusting the result at a glance, said in words. */
export function qcWarnings(qc: Pick<ReconstructionQc, 'signalLeakage'>): string[] {
  const warnings: string[] = [];
  if (qc.signalLeakage !== null && qc.signalLeakage > SIGNAL_LEAKAGE_WARNING) {
    warnings.push(
      `Signal leakage ${qc.signalLeakage.toFixed(2)} is above ${SIGNAL_LEAKAGE_WARNING}: the removed noise follows ` +
        "the result's events, so part of the signal was removed with it. Check the difference panel before using " +
        'this result; a model adapted to this survey usually removes less signal.',
    );
  }
  return warnings;
}
