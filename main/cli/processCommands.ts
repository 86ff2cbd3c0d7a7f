/**
 * `promethium denoise` and `promethium interpolate` on SEG-Y files: the task's bundled model by default (as in the app),
 * another model with --model, or a classical baseline with --method. Interpolation with a model first adapts it to the
 * file (testTimeAdaptation.ts) unless --no-adapt.
 */
import path from 'node:path';
import { applyToSegy, type ApplySummary, type PanelProcessor } from '../processing/applyToSegy';
import { denoiseMethods, interpolationMethods } from '../processing';
import { existsSync } from 'node:fs';
import { DEFAULT_MODELS } from '../../preload/contract';
import { chooseBackend } from '../ml/backends';
import { reconstructSection } from '../ml/inference';
import { loadInferenceModel } from '../ml/modelForInference';
import { robustAmplitudeScale, type AmplitudeScale } from '../ml/normalization';
import { type BlendCheck, blendSummary, describeBlend } from '../ml/blendCheck';
import { strengthSummary } from '../ml/sure';
import { bandpassOnThreads, confinementOnThreads } from '../compute/threads/computeThreads';
import { defaultProjectDir, defaultUserDataDir } from '../project/paths';
import { openSegy } from '../segy/reader';
import { ProgressBar } from './progressBar';
import { cliServices } from './segyCommands';
import { BUNDLED_MODELS_DIR } from './serve';
import { adaptedProcessing, adaptSecondsOf, type AdaptSummary } from './testTimeAdaptation';
import { UsageError } from './usageError';

export interface ProcessCliOptions {
  method?: string;
  /** A model: registry id (project or bundled), model folder, or .pmodel archive. */
  model?: string;
  tta?: boolean;
  ensemble?: number;
  /** With a model: skip the strength check (denoising, sure.ts) or the blend check (interpolation, blendCheck.ts). */
  fullStrength?: boolean;
  /** Interpolation: seconds of fine-tuning on the file before interpolating it (ml/adaptation); commander's string. */
  adaptSeconds?: string;
  /** Interpolation: false for --no-adapt. */
  adapt?: boolean;
  project?: string;
  lines?: string;
  format?: string;
  json?: boolean;
}

function parseLines(spec: string | undefined): [number, number] | undefined {
  if (spec === undefined) return undefined;
  const match = /^(-?\d+)(?:-(-?\d+))?$/.exec(spec);
  if (!match) throw new UsageError(`--lines takes A-B (inline numbers), not "${spec}"`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (last < first) throw new UsageError(`--lines ${spec}: the last line is before the first`);
  return [first, last];
}

function parseFormat(format: string | undefined): 'source' | 'ieee' {
  if (format === undefined || format === 'source' || format === 'ieee') return format ?? 'source';
  throw new UsageError(`--format is 'source' or 'ieee', not '${format}'`);
}

function processorFor(task: 'denoise' | 'interpolate', method: string): PanelProcessor {
  if (task === 'denoise') {
    const denoise = denoiseMethods[method as keyof typeof denoiseMethods];
    if (!denoise) throw new UsageError(`unknown denoising method '${method}' (fx, median, fk)`);
    // Only f-x deconvolution works in Hz; the other methods work in samples and traces.
    return (section, shape, _live, { sampleIntervalS }) =>
      method === 'fx' ? denoiseMethods.fx(section, shape, { dt: sampleIntervalS }) : denoise(section, shape);
  }
  const interpolate = interpolationMethods[method as keyof typeof interpolationMethods];
  if (!interpolate) throw new UsageError(`unknown interpolation method '${method}' (pocs, linear, slope)`);
  return (section, shape, live, { sampleIntervalS }) =>
    method === 'pocs'
      ? interpolationMethods.pocs(section, shape, live, { dt: sampleIntervalS })
      : interpolate(section, shape, live);
}

export async function runProcessing(
  task: 'denoise' | 'interpolate',
  input: string,
  output: string,
  options: ProcessCliOptions,
): Promise<void> {
  if (path.resolve(input) === path.resolve(output))
    throw new UsageError('OUT must differ from IN: the input is never overwritten');
  const choice = chooseProcessing(task, options);
  const lines = parseLines(options.lines);
  const format = parseFormat(options.format);
  const strengths: number[] = [];
  const blends: BlendCheck[] = [];
  const processing =
    'model' in choice
      ? await modelProcessing(task, input, choice.model, options, { strengths, blends }, lines)
      : { process: processorFor(task, choice.method), adapt: null, dispose: async () => {} };
  const method = 'model' in choice ? `model ${choice.model}` : choice.method;
  const bar = new ProgressBar(task === 'denoise' ? 'denoising' : 'interpolating');
  const summary: ApplySummary = await applyToSegy(input, output, {
    task,
    process: processing.process,
    confinement: confinementOnThreads,
    lines,
    format,
    history: `Promethium ${new Date().toISOString().slice(0, 10)}: ${task} (${method})`,
    onProgress: (fraction, message) => bar.update(fraction, message),
  }).finally(processing.dispose);
  bar.done();
  const adapt = processing.adapt;
  if (options.json) {
    const model = 'model' in choice ? choice.model : null;
    const strength = strengthSummary(strengths);
    const blend = blendSummary(blends);
    console.log(JSON.stringify({ input, output, task, method, model, ...summary, strength, blend, adapt }, null, 2));
    return;
  }
  const filled =
    task === 'interpolate'
      ? `, ${summary.deadTracesFilled} dead traces filled, ${summary.addedTraces} traces added`
      : '';
  console.log(
    `${output} (${method}): ${summary.processedPanels} of ${summary.panels} panels processed${filled} in ${summary.seconds.toFixed(1)} s`,
  );
  const strength = strengthSummary(strengths);
  if (strength) {
    const { median, min, max } = strength;
    const percent = (value: number): string => `${Math.round(value * 100)} %`;
    console.log(
      `strength check (SURE): the model's change above 12 Hz applied at ${percent(median)} (median over panels; ${percent(min)}..${percent(max)}); --full-strength skips it`,
    );
  }
  if (adapt)
    console.log(
      `adapted to this file: ${adapt.steps} training steps in ${adapt.seconds} s on ${adapt.trainedPanels} panels; the adapted model filled ${adapt.adaptedPanels} of ${adapt.checkedPanels} panels, the base model the others (--no-adapt skips it)`,
    );
  const blend = blendSummary(blends);
  if (blend)
    console.log(
      `blend check: ${describeBlend(blend.weights)} (mean over ${blend.panels} panels); --full-strength skips it`,
    );
}

/**
 * What runs: the model named by --model; else the classical method named by --method; else the task's bundled model,
 * the same default as the app's one-click reconstruction and Apply to volume.
 */
function chooseProcessing(
  task: 'denoise' | 'interpolate',
  options: ProcessCliOptions,
): { model: string } | { method: string } {
  if (options.model && options.method) throw new UsageError('give --model or --method, not both');
  if (!options.method) return { model: options.model ?? DEFAULT_MODELS[task] };
  if (
    options.tta ||
    options.ensemble !== undefined ||
    options.fullStrength ||
    options.adaptSeconds !== undefined ||
    options.adapt === false
  ) {
    throw new UsageError(
      '--tta, --ensemble, --full-strength, --adapt-seconds and --no-adapt apply to a model, not to a classical --method',
    );
  }
  return { method: options.method };
}

interface Processing {
  process: PanelProcessor;
  /** Interpolation adapted to the file first: what the adaptation did; null otherwise. */
  adapt: AdaptSummary | null;
  dispose(): Promise<void>;
}

/**
 * Resolves the model (registry id, folder or archive), checks its task, and runs it panel by panel with the survey's
 * scale: for interpolation adapted to the file first unless the flags say otherwise (testTimeAdaptation.ts).
 */
async function modelProcessing(
  task: 'denoise' | 'interpolate',
  input: string,
  modelName: string,
  options: ProcessCliOptions,
  checks: { strengths: number[]; blends: BlendCheck[] },
  lines: [number, number] | undefined,
): Promise<Processing> {
  const adaptSeconds = task === 'interpolate' ? adaptSecondsOf(options) : 0;
  await chooseBackend();
  const location = await locateModel(modelName, options.project);
  const loaded = await loadInferenceModel(location);
  const { model, card, patch, patchScaling } = loaded;
  if (card.task !== task) throw new UsageError(`model ${card.name} was trained to ${card.task}, not to ${task}`);
  const scale = await surveyScale(input);
  const tta = Boolean(options.tta);
  const adapted =
    adaptSeconds > 0
      ? await adaptedProcessing(input, { dir: location, model: loaded }, adaptSeconds, {
          scale,
          tta,
          lines,
          blends: checks.blends,
        })
      : null;
  if (adapted) return { process: adapted.process, adapt: adapted.summary, dispose: adapted.dispose };
  const process: PanelProcessor = async (section, shape, live, { sampleIntervalS }) => {
    const result = await reconstructSection(model, section, shape, live, {
      task,
      scale,
      patch,
      patchScaling,
      tta,
      ensemble: options.ensemble ?? 1,
      strengthCheck: options.fullStrength ? null : { sampleIntervalS, bandpass: bandpassOnThreads },
      blendCheck: options.fullStrength ? null : { sampleIntervalS },
    });
    if (result.strength) checks.strengths.push(result.strength.strength);
    if (result.blend) checks.blends.push(result.blend);
    return result.output;
  };
  return { process, adapt: null, dispose: async () => {} };
}

async function locateModel(model: string, project: string | undefined): Promise<string> {
  if (existsSync(model)) return model;
  // A bundled model needs no project (the registry would also look here first).
  const bundled = path.join(BUNDLED_MODELS_DIR, model);
  if (existsSync(bundled)) return bundled;
  const services = cliServices(project ?? defaultProjectDir(defaultUserDataDir()));
  try {
    return services.models.folder(model);
  } finally {
    services.close();
  }
}

/** One robust amplitude scale for the whole file (as in training): from up to 16 panels spread through it. */
async function surveyScale(input: string): Promise<AmplitudeScale> {
  const file = await openSegy(input);
  try {
    const panels = 16;
    const perPanel = Math.max(1, Math.min(256, Math.floor(file.traceCount / panels)));
    const sample: Float32Array[] = [];
    for (let k = 0; k < panels && k * perPanel < file.traceCount; k++) {
      const start = Math.floor((k * file.traceCount) / panels);
      sample.push(await file.readTraces(start, Math.min(perPanel, file.traceCount - start)));
    }
    const all = new Float32Array(sample.reduce((n, s) => n + s.length, 0));
    let at = 0;
    for (const part of sample) {
      all.set(part, at);
      at += part.length;
    }
    return robustAmplitudeScale(all, { traces: all.length / file.samplesPerTrace, samples: file.samplesPerTrace });
  } finally {
    await file.close();
  }
}
