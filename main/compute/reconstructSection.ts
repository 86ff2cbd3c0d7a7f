/**
 * The 'reconstruct-section' job: one inline or crossline of a survey reconstructed by a model or a classical method,
 * with the QC figures of the compare view. The panels travel back as typed arrays (structured clone), not JSON.
 */
import type { JobRequest, ReconstructionQc, SectionData } from '../../preload/contract';
import { reconstructSection, type Reconstruction } from '../ml/inference';
import { signalLeakage, signalToNoiseDb, type SectionShape } from '../signal/metrics';
import { loadInferenceModel, type InferenceModel } from '../ml/modelForInference';
import type { AmplitudeScale } from '../ml/normalization';
import { estimateSourceScale, SurveyCachePatchSource } from '../ml/training/patchSource';
import { denoiseMethods, interpolationMethods } from '../processing';
import { averageAmplitudeSpectrum } from '../signal/spectrum';
import { SurveyCache } from '../survey/cache';
import { sampleIntervalSeconds } from '../survey/scalars';
import { seededRandom } from '../signal/random';
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

export type Reconstructor = (section: Float32Array, shape: SectionShape, live: Uint8Array) => Promise<Reconstruction>;

/** The user's choice of reconstruction, as the section and volume jobs both carry it. */
export type ReconstructionChoice = Pick<
  ReconstructRequest,
  'task' | 'model' | 'method' | 'tta' | 'ensemble' | 'fullStrength'
>;

/** The model (with the survey's amplitude scale from `cacheDir`) or classical method, and its name for reports. */
export async function reconstructor(
  request: ReconstructionChoice,
  cacheDir: string,
  dt: number,
): Promise<[Reconstructor, string]> {
  if (request.model) {
    const loaded: InferenceModel = await loadInferenceModel(request.model.dir);
    if (loaded.card.task !== request.task) {
      throw Object.assign(
        new Error(`model ${loaded.card.name} was trained to ${loaded.card.task}, not to ${request.task}`),
        {
          apiCode: 'invalid-argument',
        },
      );
    }
    const source = await SurveyCachePatchSource.open(cacheDir);
    const scale: AmplitudeScale = await estimateSourceScale(source).finally(() => source.close());
    const options = {
      task: request.task,
      scale,
      patch: loaded.patch,
      patchScaling: loaded.patchScaling,
      tta: request.tta,
      ensemble: request.ensemble,
      strengthCheck: request.fullStrength ? null : { sampleIntervalS: dt },
      blendCheck: { sampleIntervalS: dt },
    };
    return [
      (section, shape, live) => reconstructSection(loaded.model, section, shape, live, options),
      `model ${request.model.name}`,
    ];
  }
  const method = request.method ?? (request.task === 'denoise' ? 'fx' : 'pocs');
  const classical: Reconstructor = async (section, shape, live) => {
    if (request.task === 'denoise') {
      if (method === 'fx') return classicalResult(denoiseMethods.fx(section, shape, { dt }));
      if (method === 'median' || method === 'fk') return classicalResult(denoiseMethods[method](section, shape));
    } else {
      if (method === 'pocs') return classicalResult(interpolationMethods.pocs(section, shape, live, { dt }));
      if (method === 'linear') return classicalResult(interpolationMethods.linear(section, shape, live));
    }
    throw Object.assign(new Error(`${method} is not a ${request.task} method`), { apiCode: 'invalid-argument' });
  };
  return [classical, method];
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
    const [run, method] = await reconstructor(request, request.cacheDir, dt);
    context.progress(0.2, `${request.task === 'denoise' ? 'denoising' : 'interpolating'} ${request.label}`);
    const { output, uncertainty, strength, fullStrengthOutput, blend } = await run(section, shape, live);
    const result = request.task === 'denoise' ? keepDeadTraces(output, section, shape, live) : output;
    const difference = Float32Array.from(section, (v, i) => v - result[i]!);
    context.progress(0.8, 'quality figures');
    const inputSpectrum = averageAmplitudeSpectrum(section, shape, dt, live);
    const qc: ReconstructionQc = {
      method,
      seconds: 0,
      removedRmsRatio:
        request.task === 'denoise' ? rms(difference, shape, live) / (rms(section, shape, live) || 1) : null,
      signalLeakage: request.task === 'denoise' ? leakage(section, result, shape, live, fullStrengthOutput) : null,
      tracesFilled: request.task === 'interpolate' ? live.reduce((n, v) => n + (v ? 0 : 1), 0) : null,
      selfCheckSnrDb: request.task === 'interpolate' ? await selfCheck(run, section, shape, live) : null,
      strength,
      blend,
      spectra: {
        frequenciesHz: inputSpectrum.frequenciesHz,
        input: inputSpectrum.amplitude,
        result: averageAmplitudeSpectrum(result, shape, dt, request.task === 'denoise' ? live : undefined).amplitude,
        difference: averageAmplitudeSpectrum(difference, shape, dt).amplitude,
      },
    };
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
        traceAxis: { name: isInline ? 'crossline' : 'inline', values: numbers },
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

/** Signal leakage (metrics.ts) against the model's full-strength result where the strength check kept some noise. */
function leakage(
  section: Float32Array,
  result: Float32Array,
  shape: SectionShape,
  live: Uint8Array,
  fullStrengthOutput: Float32Array | null,
): number {
  const signal = fullStrengthOutput ? keepDeadTraces(fullStrengthOutput, section, shape, live) : result;
  return signalLeakage(section, result, shape, signal);
}

/** Denoising never puts energy where nothing was recorded. */
function keepDeadTraces(
  output: Float32Array,
  section: Float32Array,
  shape: SectionShape,
  live: Uint8Array,
): Float32Array {
  const result = Float32Array.from(output);
  for (let t = 0; t < shape.traces; t++) {
    if (!live[t]) result.set(section.subarray(t * shape.samples, (t + 1) * shape.samples), t * shape.samples);
  }
  return result;
}
