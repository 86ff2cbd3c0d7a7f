/**
 * `npm run bench -- quality`: reconstruction quality on real data (F3 inlines, Viking Graben shot gathers, the Mobil
 * common-receiver gather) and a synthetic hold-out (a seed the bundled models never saw). Each clean panel is corrupted
 * (Gaussian noise at 0 and 5 dB, swell noise, 50 % random missing traces, 25 % regular decimation, 8-trace gaps) and
 * reconstructed by the no-op, the classical baselines and each bundled model (plain, with flip TTA, with the strength
 * check of ml/sure.ts, and on real data after "adapt to this survey": fine-tuned for a time box on the corrupted
 * panels of the case themselves, on recorrupted pairs for noise and hidden live traces for missing traces, as the app's
 * models.adapt does). Reports SNR, SSIM, MSE and coherence against the clean panel, and the winner of each case.
 */
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compareAdaptedDenoiser } from '../../main/ml/adaptChoice';
import { BLENDS } from '../../main/ml/blendCheck';
import {
  ADAPT_PANELS,
  adaptInterpolator,
  DEFAULT_ADAPT_SECONDS,
  interpolateWithAdaptedChoice,
} from '../../main/ml/adaptation/adaptedInterpolation';
import { FINE_TUNE_DEFAULTS, fineTuneOnSections, type FineTuneSettings } from '../../main/ml/adaptation/fineTune';
import { chooseBackend } from '../../main/ml/backends';
import {
  addNoiseAtSnr,
  applyTraceMask,
  gapTraceMask,
  gaussianNoise,
  randomTraceMask,
  regularTraceMask,
  swellNoise,
  type TraceMask,
} from '../../main/signal/corruption';
import { reconstructSection } from '../../main/ml/inference';
import { localCoherence, qualityReport, SIGNAL_LEAKAGE_WINDOW, type SectionShape } from '../../main/signal/metrics';
import { loadInferenceModel, type InferenceModel } from '../../main/ml/modelForInference';
import { robustAmplitudeScale } from '../../main/ml/normalization';
import { readModelCard } from '../../main/ml/registry/modelFiles';
import { InMemoryPatchSource } from '../../main/ml/training/patchSource';
import { denoiseMethods, interpolationMethods } from '../../main/processing';
import { openSegy } from '../../main/segy/reader';
import { analyseSurvey } from '../../main/survey/analyse';
import { EarthModel } from '../../main/synth/earthModel';
import { PostStackSynthesizer } from '../../main/synth/postStack';
import { randomEarthModelSpec } from '../../main/synth/randomModel';
import { testdataPath } from '../testdata';
import { median } from './stats';

export interface Panel {
  data: Float32Array;
  shape: SectionShape;
}

export interface Dataset {
  name: string;
  panels: Panel[];
  sampleIntervalS: number;
  /** Run the adapting methods on it too (the real datasets: adapting is for the user's own field data). */
  adapt: boolean;
}

type Task = 'denoise' | 'interpolate';

interface Corruption {
  name: string;
  task: Task;
  apply(panel: Panel, seed: number): CorruptedPanel;
}

/** A panel as the methods see it: the corrupted amplitudes and which traces are live. */
export interface CorruptedPanel {
  input: Float32Array;
  live: TraceMask;
}

export type Method = (input: Float32Array, shape: SectionShape, live: TraceMask, dt: number) => Promise<Float32Array>;

/**
 * A method that first learns from all the corrupted panels of a case (fine-tuning on the data itself), then runs in one
 * or more ways (each a row: the method's name followed by the run's suffix).
 */
export interface AdaptingMethod {
  adaptTo(
    dataset: Dataset,
    corrupted: readonly CorruptedPanel[],
    corruption: string,
  ): Promise<{ runs: Record<string, Method>; dispose(): Promise<void> }>;
}

export type MethodTable = Record<Task, Record<string, Method | AdaptingMethod>>;

export interface QualityRow {
  dataset: string;
  corruption: string;
  method: string;
  snrDb: number;
  ssim: number;
  mse: number;
  coherence: number;
  /** Denoising only: local coherence between the removed part and the clean panel (removedSignal); 0 is ideal. */
  leakage: number | null;
}

const allLive = (traces: number): TraceMask => new Uint8Array(traces).fill(1);

export const CORRUPTIONS: readonly Corruption[] = [
  ...[0, 5].map((snrDb): Corruption => ({
    name: `Gaussian ${snrDb} dB`,
    task: 'denoise',
    apply: ({ data, shape }, seed) => ({
      input: addNoiseAtSnr(data, gaussianNoise(shape, seed), snrDb),
      live: allLive(shape.traces),
    }),
  })),
  {
    name: 'swell 0 dB',
    task: 'denoise',
    apply: ({ data, shape }, seed) => ({
      input: addNoiseAtSnr(
        data,
        swellNoise(shape, seed, { bursts: 4, maxTraces: 4, maxSamples: Math.ceil(shape.samples / 2) }),
        0,
      ),
      live: allLive(shape.traces),
    }),
  },
  ...(
    [
      ['50% random missing', (traces: number, seed: number) => randomTraceMask(traces, 0.5, seed)],
      ['25% regular decimation', (traces: number) => regularTraceMask(traces, 4, 3).map((v) => 1 - v)],
      [
        '8-trace gaps',
        (traces: number, seed: number) => gapTraceMask(traces, Math.max(1, Math.floor(traces / 40)), 8, seed),
      ],
    ] as const
  ).map(([name, mask]): Corruption => ({
    name,
    task: 'interpolate',
    apply: ({ data, shape }, seed) => {
      const live = mask(shape.traces, seed) as TraceMask;
      return { input: applyTraceMask(data, shape, live), live };
    },
  })),
];

async function segyPanels(file: string, byGather: boolean): Promise<Panel[]> {
  const segy = await openSegy(testdataPath('segy', file));
  try {
    const { geometry } = await analyseSurvey(segy);
    const samples = segy.samplesPerTrace;
    const groups: number[][] = [];
    if (byGather && geometry.gathers) {
      const g = geometry.gathers;
      for (let k = 0; k < g.gatherKeys.length; k++)
        groups.push(Array.from(g.traceIndex.slice(g.gatherStart[k], g.gatherStart[k + 1])));
    } else if (geometry.grid) {
      const { inlines, crosslines, traceIndex, offsets } = geometry.grid;
      for (let il = 0; il < inlines.count; il++) {
        groups.push(
          Array.from(
            { length: crosslines.count },
            (_, xl) => traceIndex[(il * crosslines.count + xl) * offsets.length]!,
          ),
        );
      }
    }
    const panels: Panel[] = [];
    for (const traces of groups) {
      if (traces.some((t) => t < 0)) continue;
      const data = new Float32Array(traces.length * samples);
      for (let k = 0; k < traces.length; k++) data.set(await segy.readTrace(traces[k]!), k * samples);
      for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) data[i] = 0;
      panels.push({ data, shape: { traces: traces.length, samples } });
    }
    return panels;
  } finally {
    await segy.close();
  }
}

/** numpy .npy (float32, C order, 2-D) as one panel: rows are traces. */
function npyPanel(file: string): Panel {
  const bytes = readFileSync(file);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const [traces, samples] = (/\((\d+), (\d+)\)/.exec(header) ?? []).slice(1).map(Number) as [number, number];
  const data = new Float32Array(
    bytes.buffer.slice(bytes.byteOffset + 10 + headerLength, bytes.byteOffset + bytes.length),
  );
  return { data, shape: { traces, samples } };
}

function syntheticHoldout(): Panel[] {
  const extent = { inlines: 4, crosslines: 192, durationMs: 384 * 4 };
  const model = new EarthModel(randomEarthModelSpec(777_001, extent, { faults: 2, folds: 2 }));
  const synthesizer = new PostStackSynthesizer(model, {
    samples: 384,
    sampleIntervalMs: 4,
    wavelet: { kind: 'ricker', peakHz: 30 },
    q: 150,
  });
  return [0, 2].map((il) => ({ data: synthesizer.inline(il), shape: { traces: 192, samples: 384 } }));
}

export async function qualityDatasets(): Promise<Dataset[]> {
  return [
    {
      name: 'F3 (real, 23 inlines 18 x 75)',
      panels: await segyPanels('f3.sgy', false),
      sampleIntervalS: 0.004,
      adapt: true,
    },
    {
      name: 'Viking Graben shots (real, 4 x 120 x 600)',
      panels: await segyPanels('viking_small.segy', true),
      sampleIntervalS: 0.004,
      adapt: true,
    },
    {
      name: 'Mobil receiver gather (real, 60 x 1000)',
      panels: [npyPanel(testdataPath('npy', 'mobil.npy'))],
      sampleIntervalS: 0.004,
      adapt: true,
    },
    { name: 'synthetic hold-out (2 x 192 x 384)', panels: syntheticHoldout(), sampleIntervalS: 0.004, adapt: false },
  ];
}

/** A model as it is, or with the check the app applies by default: the strength check (denoising, ml/sure.ts) or the
 * blend check (interpolation, ml/blendCheck.ts). */
function modelMethod(loaded: InferenceModel, task: Task, tta: boolean, checked = false): Method {
  return async (input, shape, live, dt) => {
    const scale = robustAmplitudeScale(input, shape);
    const { output } = await reconstructSection(loaded.model, input, shape, live, {
      task,
      scale,
      patch: loaded.patch,
      patchScaling: loaded.patchScaling,
      tta,
      strengthCheck: checked && task === 'denoise' ? { sampleIntervalS: dt } : null,
      blendCheck: checked && task === 'interpolate' ? { sampleIntervalS: dt } : null,
    });
    return output;
  };
}

/**
 * The bundled model in `baseDir` fine-tuned on the corrupted panels of one case, as models.adapt does: recorrupted pairs
 * for denoising (the panels are noisy; taskBatches.ts), live traces hidden at random for interpolation, AdamW with the
 * app's learning rate, for a wall-clock time box (main/ml/adaptation/fineTune.ts). Every panel is trained on (no
 * validation lines: the Mobil dataset is one panel), and the model at the end of the time box is kept.
 */
export function adaptedModelMethod(
  baseDir: string,
  base: InferenceModel,
  task: Task,
  settings: FineTuneSettings,
): AdaptingMethod {
  return {
    async adaptTo(dataset, corrupted) {
      const sections = corrupted.map(({ input }, p) => ({ data: input, shape: dataset.panels[p]!.shape }));
      const adapted = await fineTuneOnSections({ dir: baseDir, model: base }, task, sections, settings, {
        kind: task === 'denoise' ? 'recorrupted' : 'synthetic',
      });
      console.log(
        `adapted ${path.basename(baseDir)} to ${dataset.name}: ${adapted.steps} steps in ${settings.seconds} s`,
      );
      const inference = adapted.model;
      const runs: Record<string, Method> = { '': modelMethod(inference, task, false) };
      if (task === 'denoise') {
        // As the app's adapt job ends (compute/trainModel.ts): the base stays unless SURE prefers the adapted model.
        const source = new InMemoryPatchSource(dataset.name, sections);
        const choice = await compareAdaptedDenoiser(
          base,
          inference,
          source,
          robustAmplitudeScale,
          dataset.sampleIntervalS,
        );
        console.log(
          `  estimated error: base ${choice.baseMse.toPrecision(3)}, adapted ${choice.adaptedMse.toPrecision(3)} (shortfall below 12 Hz ${choice.adaptedLowShortfall.toPrecision(3)}): ${choice.keepBase ? 'base kept' : 'adapted kept'}`,
        );
        runs[', strength checked'] = modelMethod(choice.keepBase ? base : inference, task, false, true);
      }
      return { runs, dispose: adapted.dispose };
    },
  };
}

/**
 * `promethium interpolate` as it runs by default: the bundled interpolator fine-tuned for `seconds` on up to
 * ADAPT_PANELS of the case's corrupted panels (spread through them, as the CLI spreads them through a file), live
 * traces of the choice's fold kept out; then every panel filled by the better of the base and the adapted model,
 * each blended with POCS or linear as the blend check finds best on those traces (ml/adaptation).
 */
export function defaultInterpolation(
  baseDir: string,
  base: InferenceModel,
  seconds: number,
  costs: string[],
): AdaptingMethod {
  const without = BLENDS.filter((w) => w.slope === 0);
  return {
    async adaptTo(dataset, corrupted, corruption): ReturnType<AdaptingMethod['adaptTo']> {
      const started = performance.now();
      const panels = corrupted.map(({ input, live }, p) => ({ section: input, shape: dataset.panels[p]!.shape, live }));
      const trained = spreadPanels(panels, ADAPT_PANELS);
      const adapted = await adaptInterpolator({ dir: baseDir, model: base }, trained, seconds);
      if (!adapted) return { runs: { '': modelMethod(base, 'interpolate', false, true) }, dispose: async () => {} };
      const adaptedAfter = (performance.now() - started) / 1000;
      let adaptedPanels = 0;
      let fillSeconds = 0;
      const run: Method = async (input, shape, live, dt) => {
        const fillStarted = performance.now();
        const choice = await interpolateWithAdaptedChoice(
          { base, adapted: adapted.model },
          { section: input, shape, live },
          { scale: robustAmplitudeScale(input, shape), sampleIntervalS: dt },
        );
        if (choice.adapted) adaptedPanels++;
        fillSeconds += (performance.now() - fillStarted) / 1000;
        return choice.output;
      };
      // The same adapted model choosing among the blends of before slope-steered interpolation: what it adds.
      const runBefore: Method = async (input, shape, live, dt) =>
        (
          await interpolateWithAdaptedChoice(
            { base, adapted: adapted.model },
            { section: input, shape, live },
            { scale: robustAmplitudeScale(input, shape), sampleIntervalS: dt, rankedBlends: without },
          )
        ).output;
      return {
        runs: { '': run, [BEFORE_SLOPES_SUFFIX]: runBefore },
        dispose: async () => {
          const cost = `${dataset.name}, ${corruption}, adapt ${seconds} s, ${corrupted.length} panels: fine-tuning ${adaptedAfter.toFixed(0)} s (${adapted.steps} steps on ${trained.length} panels), filling with the choice ${fillSeconds.toFixed(0)} s; adapted model chosen on ${adaptedPanels} of ${panels.length} panels`;
          console.log(`default interpolate: ${cost}`);
          costs.push(cost);
          await adapted.dispose();
        },
      };
    },
  };
}

/** Up to `count` of the panels, evenly spread (as processing/applyToSegy.ts readSpreadPanels picks them in a file). */
function spreadPanels<T>(panels: readonly T[], count: number): T[] {
  const picked = Math.min(count, panels.length);
  const indices = new Set(Array.from({ length: picked }, (_, k) => Math.floor(((k + 0.5) * panels.length) / picked)));
  return [...indices].map((p) => panels[p]!);
}

export const BENCH_ADAPT: FineTuneSettings = { ...FINE_TUNE_DEFAULTS, seconds: 40 };

/** The rows of one bundled denoiser: plain, with TTA, strength checked (with and without TTA), after adapting. */
async function denoiserRows(
  modelsDir: string,
  id: string,
  adapt: FineTuneSettings,
): Promise<Record<string, Method | AdaptingMethod>> {
  const dir = path.join(modelsDir, id);
  const model = await loadInferenceModel(dir);
  return {
    [id]: modelMethod(model, 'denoise', false),
    [`${id} + TTA`]: modelMethod(model, 'denoise', true),
    [`${id}, strength checked`]: modelMethod(model, 'denoise', false, true),
    [`${id} + TTA, strength checked`]: modelMethod(model, 'denoise', true, true),
    [`${id} after adapt to this survey`]: adaptedModelMethod(dir, model, 'denoise', adapt),
  };
}

/** The bundled models the benchmark runs, by task. */
const QUALITY_MODELS = {
  denoise: ['unet_denoise_v1', 'unet_denoise_v2'],
  autoencoder: 'autoencoder_v1',
  interpolate: 'unet_interp_v1',
} as const;

/** The interpolation rows: classical methods, the bundled interpolator as it is, checked, adapted, and the CLI default. */
async function interpolationRows(
  modelsDir: string,
  adapt: FineTuneSettings,
  costs: string[] = [],
): Promise<Record<string, Method | AdaptingMethod>> {
  const interp = QUALITY_MODELS.interpolate;
  const interpolatorDir = path.join(modelsDir, interp);
  const interpolator = await loadInferenceModel(interpolatorDir);
  return {
    'no-op': async (input) => input,
    linear: async (input, shape, live) => interpolationMethods.linear(input, shape, live),
    POCS: async (input, shape, live, dt) => interpolationMethods.pocs(input, shape, live, { dt }),
    [SLOPE_ROW]: async (input, shape, live) => interpolationMethods.slope(input, shape, live),
    [interp]: modelMethod(interpolator, 'interpolate', false),
    [`${interp} + TTA`]: modelMethod(interpolator, 'interpolate', true),
    [`${interp}, blend checked`]: modelMethod(interpolator, 'interpolate', false, true),
    [`${interp} + TTA, blend checked`]: modelMethod(interpolator, 'interpolate', true, true),
    [`${interp} after adapt to this survey`]: adaptedModelMethod(interpolatorDir, interpolator, 'interpolate', adapt),
    [DEFAULT_INTERPOLATE_ROW]: defaultInterpolation(interpolatorDir, interpolator, DEFAULT_ADAPT_SECONDS, costs),
  };
}

const DEFAULT_INTERPOLATE_ROW = `default interpolate (adapt ${DEFAULT_ADAPT_SECONDS} s + blend check)`;
const BEFORE_SLOPES_SUFFIX = ', blends without slope-steered (before)';
const SLOPE_ROW = 'slope-steered';

export async function qualityMethods(modelsDir: string, adapt: FineTuneSettings = BENCH_ADAPT): Promise<MethodTable> {
  const autoencoder = await loadInferenceModel(path.join(modelsDir, QUALITY_MODELS.autoencoder));
  const denoisers = await Promise.all(QUALITY_MODELS.denoise.map((id) => denoiserRows(modelsDir, id, adapt)));
  return {
    denoise: {
      'no-op': async (input) => input,
      'f-x deconvolution': async (input, shape, _live, dt) => denoiseMethods.fx(input, shape, { dt }),
      median: async (input, shape) => denoiseMethods.median(input, shape),
      'f-k': async (input, shape) => denoiseMethods.fk(input, shape),
      [QUALITY_MODELS.autoencoder]: modelMethod(autoencoder, 'denoise', false),
      ...Object.assign({}, ...denoisers),
    },
    interpolate: await interpolationRows(modelsDir, adapt),
  };
}

/**
 * Signal in what a denoiser removed: the local coherence (the compare view's signal-leakage windows) between the
 * removed part and the clean panel, which the benchmark knows. 0 when only noise was removed; positive when signal was.
 * (The compare view, without a clean panel, correlates the removed part with the result instead.)
 */
function removedSignal(clean: Float32Array, input: Float32Array, output: Float32Array, shape: SectionShape): number {
  const removed = input.map((v, i) => v - output[i]!);
  return localCoherence(removed, clean, shape, SIGNAL_LEAKAGE_WINDOW);
}

/** One method on every corrupted panel of a case, metrics as medians over the panels. */
async function scoreMethod(
  dataset: Dataset,
  corrupted: readonly CorruptedPanel[],
  task: Task,
  run: Method,
): Promise<Omit<QualityRow, 'dataset' | 'corruption' | 'method'>> {
  const scores = {
    snrDb: [] as number[],
    ssim: [] as number[],
    mse: [] as number[],
    coherence: [] as number[],
    leakage: [] as number[],
  };
  for (const [p, panel] of dataset.panels.entries()) {
    const { input, live } = corrupted[p]!;
    const output = await run(input, panel.shape, live, dataset.sampleIntervalS);
    const report = qualityReport(panel.data, input, output, panel.shape);
    scores.snrDb.push(report.snrDb);
    scores.ssim.push(report.ssim);
    scores.mse.push(report.mse);
    scores.coherence.push(report.coherence);
    if (task === 'denoise') scores.leakage.push(removedSignal(panel.data, input, output, panel.shape));
  }
  return {
    snrDb: median(scores.snrDb),
    ssim: median(scores.ssim),
    mse: median(scores.mse),
    coherence: median(scores.coherence),
    leakage: task === 'denoise' ? median(scores.leakage) : null,
  };
}

/**
 * Every dataset x corruption x method, metrics as medians over the dataset's panels. Adapting methods run only on
 * datasets marked `adapt`, each case adapting afresh to its own corrupted panels.
 */
export async function runQualityBenchmark(
  datasets: readonly Dataset[],
  methods: MethodTable,
  corruptions: readonly Corruption[] = CORRUPTIONS,
): Promise<QualityRow[]> {
  const rows: QualityRow[] = [];
  for (const dataset of datasets) {
    for (const corruption of corruptions) {
      const corrupted = dataset.panels.map((panel, p) => corruption.apply(panel, 1000 + p));
      for (const [method, entry] of Object.entries(methods[corruption.task])) {
        const row = { dataset: dataset.name, corruption: corruption.name, method };
        if (typeof entry === 'function') {
          rows.push({ ...row, ...(await scoreMethod(dataset, corrupted, corruption.task, entry)) });
          continue;
        }
        if (!dataset.adapt) continue;
        const adapted = await entry.adaptTo(dataset, corrupted, corruption.name);
        try {
          for (const [suffix, run] of Object.entries(adapted.runs)) {
            const scores = await scoreMethod(dataset, corrupted, corruption.task, run);
            rows.push({ ...row, method: `${method}${suffix}`, ...scores });
          }
        } finally {
          await adapted.dispose();
        }
      }
    }
  }
  return rows;
}

export function qualityReportTable(rows: readonly QualityRow[]): string {
  const lines = [
    "Medians over each dataset's panels; SNR against the clean panel (the no-op row is the corrupted input). **Bold**: the",
    'best SNR of the case. Leakage (denoising): local coherence between what a method removed and the clean panel, in',
    "windows of 5 traces x 31 samples (the compare view's signal-leakage windows); 0 when the removed part holds no",
    'signal, positive when signal was removed.',
    '',
    '| dataset | corruption | method | SNR dB | SSIM | MSE | coherence | leakage |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  const cases = [...new Set(rows.map((r) => `${r.dataset}\u0000${r.corruption}`))];
  const winners: string[] = [];
  for (const key of cases) {
    const [dataset, corruption] = key.split('\u0000') as [string, string];
    const group = rows.filter((r) => r.dataset === dataset && r.corruption === corruption);
    const best = group.reduce((a, b) => (b.snrDb > a.snrDb ? b : a));
    winners.push(`| ${dataset} | ${corruption} | ${best.method} | ${best.snrDb.toFixed(2)} |`);
    for (const r of group) {
      const snr = r === best ? `**${r.snrDb.toFixed(2)}**` : r.snrDb.toFixed(2);
      lines.push(
        `| ${dataset} | ${corruption} | ${r.method} | ${snr} | ${r.ssim.toFixed(3)} | ${r.mse.toExponential(2)} | ${r.coherence.toFixed(3)} | ${r.leakage === null ? '-' : r.leakage.toFixed(2)} |`,
      );
    }
  }
  return [
    ...lines,
    '',
    'Winners:',
    '',
    '| dataset | corruption | best method | SNR dB |',
    '| --- | --- | --- | ---: |',
    ...winners,
  ].join('\n');
}

export async function benchQuality(): Promise<string> {
  const backend = await chooseBackend('wasm');
  const started = performance.now();
  // A copy, so that every row of the run, adapted ones included, comes from the same models even if resources/models
  // is replaced while the benchmark runs (adapting re-reads the bundled model for every case).
  const modelsDir = await mkdtemp(path.join(os.tmpdir(), 'promethium-bench-models-'));
  await cp(path.resolve('resources/models'), modelsDir, { recursive: true });
  const created = await Promise.all(
    [...QUALITY_MODELS.denoise, QUALITY_MODELS.interpolate, QUALITY_MODELS.autoencoder].map(
      async (name) => `${name} ${(await readModelCard(path.join(modelsDir, name))).createdAt}`,
    ),
  );
  const rows = await runQualityBenchmark(await qualityDatasets(), await qualityMethods(modelsDir, BENCH_ADAPT)).finally(
    () => rm(modelsDir, { recursive: true, force: true }),
  );
  const minutes = (performance.now() - started) / 60_000;
  const { seconds, patch, batchSize, learningRate } = BENCH_ADAPT;
  return [
    `Command: \`npm run bench -- quality\` (${minutes.toFixed(0)} min). Backend ${backend.backend}; bundled models (see resources/models/README.md): ${created.join(', ')}.`,
    '',
    `"after adapt to this survey" (real datasets only): the bundled model fine-tuned on the corrupted panels of that`,
    `dataset and corruption themselves, time-boxed to ${seconds} s of wall-clock training on this CPU (${patch} x ${patch} patches,`,
    `batch ${batchSize}, AdamW, learning rate ${learningRate}; inference with the bundled model's own patch): recorrupted`,
    "pairs for the noise cases (Pang et al. 2021: white Gaussian noise z at the patch's own white-noise level, input",
    'y + z / 2, target y - 2 z; main/ml/training/taskBatches.ts), live traces hidden at random for the missing-trace',
    'cases, as Adapt to this survey does in the app. No clean data is used. The recorrupting noise is white, so it',
    'teaches the removal of white noise only: swell noise, coherent over neighbouring samples and traces, is in input',
    'and target alike and is learnt as signal and kept.',
    '',
    '"strength checked": the model at the strength the app applies by default (main/ml/sure.ts): from the corrupted',
    "panel alone, Stein's unbiased risk estimate (white noise level from the data, Monte Carlo divergence from one more",
    "pass) picks how much of the model's change above 12 Hz to keep (0..1); below 12 Hz (swell) each trace keeps the",
    "model's removal as far as it matches the trace. The other model rows are at full strength. For the adapted",
    "denoiser the checked row also ends as the app's adapt job does (main/ml/adaptChoice.ts): the base model is kept",
    "unless SURE's estimate of the adapted model's error above 12 Hz on the case's panels is at least 5 % lower.",
    '',
    '"blend checked": the interpolator as the app applies it by default (main/ml/blendCheck.ts): live traces are hidden',
    "in blocks shaped like the panel's own gaps, the model (with TTA), POCS, linear and slope-steered interpolation and blends of the",
    'model with each fill them back in, and the blend that restores them best fills the real gaps. No clean data is used.',
    '',
    `Cases won, per method: ${winCounts(rows)}.`,
    '',
    qualityReportTable(rows),
  ].join('\n');
}

/** 'method n, method m' for the methods with the best SNR of at least one case, most wins first. */
function winCounts(rows: readonly QualityRow[]): string {
  const wins = new Map<string, number>();
  for (const key of new Set(rows.map((r) => `${r.dataset}\u0000${r.corruption}`))) {
    const group = rows.filter((r) => `${r.dataset}\u0000${r.corruption}` === key);
    const best = group.reduce((a, b) => (b.snrDb > a.snrDb ? b : a));
    wins.set(best.method, (wins.get(best.method) ?? 0) + 1);
  }
  return [...wins]
    .sort((a, b) => b[1] - a[1])
    .map(([method, count]) => `${method} ${count}`)
    .join(', ');
}

/** Per case: the default's margin over the better of linear and POCS, before and with slope-steered interpolation. */
function marginsOverClassical(rows: readonly QualityRow[]): string[] {
  const lines = [
    '| dataset | corruption | best of linear, POCS | slope-steered alone | default before | default | margin before | margin |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const key of new Set(rows.map((r) => `${r.dataset}\u0000${r.corruption}`))) {
    const group = rows.filter((r) => `${r.dataset}\u0000${r.corruption}` === key);
    const snr = (method: string) => group.find((r) => r.method === method)?.snrDb ?? Number.NaN;
    const classical = Math.max(snr('linear'), snr('POCS'));
    const before = snr(`${DEFAULT_INTERPOLATE_ROW}${BEFORE_SLOPES_SUFFIX}`);
    const after = snr(DEFAULT_INTERPOLATE_ROW);
    const signed = (db: number) => `${db >= 0 ? '+' : ''}${db.toFixed(2)}`;
    lines.push(
      `| ${group[0]!.dataset} | ${group[0]!.corruption} | ${classical.toFixed(2)} | ${snr(SLOPE_ROW).toFixed(2)} | ${before.toFixed(2)} | ${after.toFixed(2)} | ${signed(before - classical)} | ${signed(after - classical)} |`,
    );
  }
  return lines;
}

/**
 * `npm run bench -- quality --interpolation`: only the missing-trace cases of the real datasets and only the
 * interpolation rows, with what the default (adapted) interpolation cost on this CPU: minutes rather than the hour of
 * the whole quality benchmark.
 */
export async function benchInterpolationQuality(): Promise<string> {
  const backend = await chooseBackend('wasm');
  const started = performance.now();
  const modelsDir = await mkdtemp(path.join(os.tmpdir(), 'promethium-bench-models-'));
  await cp(path.resolve('resources/models'), modelsDir, { recursive: true });
  const interp = QUALITY_MODELS.interpolate;
  const created = (await readModelCard(path.join(modelsDir, interp))).createdAt;
  const costs: string[] = [];
  const datasets = (await qualityDatasets()).filter((dataset) => dataset.adapt);
  const rows = await runQualityBenchmark(
    datasets,
    { denoise: {}, interpolate: await interpolationRows(modelsDir, BENCH_ADAPT, costs) },
    CORRUPTIONS.filter((corruption) => corruption.task === 'interpolate'),
  ).finally(() => rm(modelsDir, { recursive: true, force: true }));
  const minutes = (performance.now() - started) / 60_000;
  return [
    `Command: \`npm run bench -- quality --interpolation\` (${minutes.toFixed(0)} min). Backend ${backend.backend}; ${interp} ${created}.`,
    '',
    `"${DEFAULT_INTERPOLATE_ROW}": \`promethium interpolate\` as it runs by default (main/ml/adaptation): ${interp}`,
    `fine-tuned for ${DEFAULT_ADAPT_SECONDS} s of wall-clock training on up to ${ADAPT_PANELS} of the case's corrupted panels, live traces hidden in the`,
    "shape of the panels' own missing ones (random, decimation, gaps: maskStatistics.ts), with the live traces of the",
    "blend check's first fold kept out; then on each panel the base and the adapted model, each with POCS, linear,",
    'slope-steered and their blends, are scored on those held-out traces, and the best fills the gaps (a blend with',
    'slope-steered must win by 0.5 dB: SLOPE_MARGIN_DB). "blend checked": the base model with',
    'the blend check alone (`--no-adapt`). "after adapt to this survey": fine-tuned for',
    `${BENCH_ADAPT.seconds} s on every panel with random hidden traces and used alone, unchecked. No clean data is used by any row.`,
    `"${SLOPE_ROW}": interpolation along the local slopes of the live traces (main/processing/slopeInterpolation.ts), one`,
    'of the blend check\'s candidates since this run; "default ..., blends without slope-steered (before)": the same',
    'adapted model choosing among the blends of before it (the model, POCS and linear), so the two default rows differ',
    'only by the new candidate.',
    '',
    'Margin of the default over the better of linear and POCS on the true gaps (dB):',
    '',
    ...marginsOverClassical(rows),
    '',
    "What the default cost on this CPU (wall clock, shared machine; the filling time includes the before row's choice):",
    '',
    ...costs.map((cost) => `- ${cost}`),
    '',
    `Cases won, per method: ${winCounts(rows)}.`,
    '',
    qualityReportTable(rows),
  ].join('\n');
}
