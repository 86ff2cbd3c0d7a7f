/**
 * `npm run bench -- apply [INLINES] [--cube IxXxS] [--line TxS] [--clicks N] [--runs N] [--compute A.cjs,B.cjs]`:
 * apply to volume of a generated cube through the real job path (the project's services, the job in the compute
 * process) with the bundled default denoiser at checked strength, on whatever backend the compute process chooses,
 * then the one-click denoise of a generated line: the first click after the compute process started (cold) and the
 * clicks after it (warm).
 *
 * Reports samples per second and where the compute process's time went: it runs under `--cpu-prof`, and the profile's
 * self time is mapped back through the bundle's source map to the source files, grouped into the phases of an inline
 * (reading the cache, scaling, tiling and blending, the network, the strength check, filters, writing).
 *
 * `--compute` names several compute bundles (builds of other commits, each with its source map next to it): they run
 * in turn, `--runs` times each, alternating, so that a change is measured against its baseline in one run on one
 * machine; their volumes are compared sample by sample (the change must not change the result).
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JobInfo } from '../../preload/contract';
import { runSynth } from '../../main/cli/synth';
import { forkComputeLauncher } from '../../main/jobs/forkCompute';
import { SurveyCache } from '../../main/survey/cache';
import { AppServices } from '../../main/workflows/services';
import { jobWhen } from '../support/services';
import { median } from './stats';

/** The cold click comes this long after the compute process is ready. */
const CLICK_AFTER_READY_MS = 5000;

export interface ApplyBenchOptions {
  /** Inlines x crosslines x samples of the applied cube. */
  cube: [number, number, number];
  /** Traces x samples of the one-click line. */
  line: [number, number];
  /** Warm clicks after the cold one. */
  clicks: number;
  /** Runs of each compute bundle. */
  runs: number;
  computeBundles: string[];
}

export const DEFAULT_APPLY_BENCH: ApplyBenchOptions = {
  cube: [20, 200, 1000],
  line: [1000, 1500],
  clicks: 3,
  runs: 1,
  computeBundles: ['dist/compute.cjs'],
};

/** `[INLINES] [--cube IxXxS] [--line TxS] [--clicks N] [--runs N] [--compute A,B]` over the defaults. */
export function parseApplyBenchArgs(args: string[]): ApplyBenchOptions {
  const options = { ...DEFAULT_APPLY_BENCH };
  const sizes = (value: string, count: number): number[] => {
    const parts = value.split('x').map(Number);
    if (parts.length !== count || !parts.every((n) => Number.isInteger(n) && n > 0))
      throw new Error(`'${value}' is not ${count} whole numbers joined by x`);
    return parts;
  };
  for (let k = 0; k < args.length; k++) {
    const [flag, value] = [args[k]!, args[k + 1] ?? ''];
    if (/^\d+$/.test(flag)) {
      options.cube = [Number(flag), options.cube[1], options.cube[2]];
      continue;
    }
    k++;
    if (flag === '--cube') options.cube = sizes(value, 3) as [number, number, number];
    else if (flag === '--line') options.line = sizes(value, 2) as [number, number];
    else if (flag === '--clicks') options.clicks = sizes(value, 1)[0]!;
    else if (flag === '--runs') options.runs = sizes(value, 1)[0]!;
    else if (flag === '--compute') options.computeBundles = value.split(',');
    else throw new Error(`unknown option ${flag} of the apply benchmark`);
  }
  return options;
}

/** Phases of an inline, by the source file a profiled function comes from (first match wins). */
const PHASES: [phase: string, pattern: RegExp][] = [
  ['reading the cache', /main\/survey\/(cache|sectionReader)|zarrita|numcodecs/],
  ['writing the volume', /main\/survey\/(derivedVolume|cacheFiles)/],
  ['scaling (normalisation)', /main\/ml\/normalization/],
  ['tiling and blending', /main\/ml\/tiling/],
  ['strength check arithmetic', /main\/ml\/sure|main\/ml\/strength/],
  ['filters and FFTs', /main\/(processing|signal)\/|fft\.js/],
  [
    'the network (tfjs / ONNX Runtime)',
    /tensorflow|tfjs|onnx|main\/ml\/(parallelInference|inferenceGraph|onnx|webgpu)/,
  ],
  ['the rest of the reconstruction', /main\/(ml|compute)\//],
];

/** The phases that are not the reconstruction's own work around the network (nor the process's start-up). */
const NOT_AROUND_THE_NETWORK = new Set([
  'the network (tfjs / ONNX Runtime)',
  'waiting (GPU, ONNX Runtime threads, file I/O)',
  'other (Node, start-up)',
  'V8: program',
]);

/** Seconds per million samples of the work around the network in one profile. */
function aroundTheNetwork(phases: Map<string, number>, samples: number): number {
  const ms = [...phases].reduce((sum, [phase, t]) => sum + (NOT_AROUND_THE_NETWORK.has(phase) ? 0 : t), 0);
  return ms / 1000 / (samples / 1e6);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time (ms) per phase, from a V8 CPU profile of the bundled compute process. */
function phasesOf(profile: CpuProfile, bundle: string): Map<string, number> {
  const map = new SourceMap(
    JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0],
  );
  const bundleName = path.basename(bundle);
  const phaseOfNode = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    let source = url;
    if (url.endsWith(bundleName)) {
      const entry = map.findEntry(lineNumber, columnNumber) as { originalSource?: string };
      source = entry.originalSource ?? url;
    }
    const special = /^\((idle|program|garbage collector)\)$/.exec(functionName)?.[1];
    const phase =
      special === 'idle'
        ? 'waiting (GPU, ONNX Runtime threads, file I/O)'
        : special
          ? `V8: ${special}`
          : (PHASES.find(([, pattern]) => pattern.test(source))?.[0] ?? 'other (Node, start-up)');
    phaseOfNode.set(node.id, phase);
  }
  const totals = new Map<string, number>();
  profile.samples.forEach((id, k) => {
    const phase = phaseOfNode.get(id)!;
    totals.set(phase, (totals.get(phase) ?? 0) + (profile.timeDeltas[k] ?? 0) / 1000);
  });
  return totals;
}

/** The project's services with the compute process forked from `bundle`, profiled into `profiles` when given. */
function servicesOn(home: string, bundle: string, profiles?: string): AppServices {
  const profiling = profiles ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`] : [];
  return new AppServices({
    userDataDir: home,
    projectDir: path.join(home, 'project'),
    bundledModelsDir: path.resolve('resources/models'),
    host: {
      kind: 'browser',
      versions: {},
      launchCompute: forkComputeLauncher(bundle, process.env, profiling),
      showOpenDialog: async () => ({ canceled: true, paths: [] }),
    },
  });
}

async function importGenerated(services: AppServices, home: string, name: string, size: number[]): Promise<string> {
  const segy = path.join(home, `${name}.sgy`);
  const [inlines, crosslines, samples] = size;
  await runSynth({ out: segy, inlines, crosslines, samples, noise: 'gaussian:0' });
  const imported = services.surveys.startImport({ path: segy });
  const done = await ended(services, imported.job.id);
  if (done.state !== 'done') throw new Error(`import of ${name} ${done.state}: ${done.error?.message ?? ''}`);
  return imported.survey.id;
}

interface RunResult {
  seconds: number;
  secondsPerInline: number;
  method: string;
  volumeDir: string;
  phases: Map<string, number>;
  /** The phases of the compute process that ran the clicks (its start-up included). */
  clickPhases: Map<string, number>;
  coldClick: number;
  warmClicks: number[];
}

/** One apply of the cube and the clicks on the line, with the compute process forked from `bundle`. */
async function measureRun(
  home: string,
  bundle: string,
  surveys: { cube: string; line: string },
  options: ApplyBenchOptions,
): Promise<RunResult> {
  const profiles = mkdtempSync(path.join(home, 'profiles-'));
  const profilesRead = new Set<string>();
  const services = servicesOn(home, bundle, profiles);
  try {
    await services.compute.start();
    const { job, volume } = await services.volumes.apply({
      surveyId: surveys.cube,
      task: 'denoise',
      tta: false,
      ensemble: 1,
      fullStrength: false,
    });
    const done = await ended(services, job.id);
    if (done.state !== 'done') throw new Error(`apply ${done.state}: ${done.error?.message ?? ''}`);
    const result = done.result as { seconds: number; secondsPerReconstructedInline: number; method: string };
    const phases = await stopAndReadProfile(services, profiles, profilesRead, bundle);
    // The clicks: a fresh compute process (ready, its backend chosen), then, after the time an interpreter takes to
    // open a survey and pick a line (the app starts the compute process at launch), one click after another.
    await services.compute.start();
    await new Promise((resolve) => setTimeout(resolve, CLICK_AFTER_READY_MS));
    const clicks: number[] = [];
    for (let click = 0; click <= options.clicks; click++) clicks.push(await clickDenoise(services, surveys.line));
    const clickPhases = await stopAndReadProfile(services, profiles, profilesRead, bundle);
    return {
      seconds: result.seconds,
      secondsPerInline: result.secondsPerReconstructedInline,
      method: result.method,
      volumeDir: path.join(services.project.volumesDir, `${volume.id}.zarr`),
      phases,
      clickPhases,
      coldClick: clicks[0]!,
      warmClicks: clicks.slice(1),
    };
  } finally {
    services.close();
  }
}

/**
 * Stops the compute process (its profile is written when it exits) and reads the phases of its profile: the one in
 * `profiles` not yet in `read`.
 */
async function stopAndReadProfile(services: AppServices, profiles: string, read: Set<string>, bundle: string) {
  services.compute.stop();
  // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: thread 0 is the compute process's main thread.
  const profileName = /\.\d+\.0\.\d+\.cpuprofile$/;
  for (let waited = 0; waited < 30_000; waited += 250) {
    const file = readdirSync(profiles).find((name) => profileName.test(name) && !read.has(name));
    if (file) {
      read.add(file);
      await new Promise((resolve) => setTimeout(resolve, 500)); // written in one go, but give it time to close
      return phasesOf(JSON.parse(readFileSync(path.join(profiles, file), 'utf8')) as CpuProfile, bundle);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the compute process wrote no CPU profile');
}

/** Seconds from the click (the API call) to the finished denoised line. */
async function clickDenoise(services: AppServices, surveyId: string): Promise<number> {
  const started = performance.now();
  const job = await services.reconstruction.start({
    surveyId,
    axis: 'inline',
    index: 0,
    task: 'denoise',
    tta: false,
    ensemble: 1,
  });
  const done = await ended(services, job.id);
  if (done.state !== 'done') throw new Error(`one-click denoise ${done.state}: ${done.error?.message ?? ''}`);
  return (performance.now() - started) / 1000;
}

/** Largest difference between two volumes, relative to the first one's RMS. */
async function relativeDifference(aDir: string, bDir: string): Promise<number> {
  const [a, b] = await Promise.all([SurveyCache.open(aDir), SurveyCache.open(bDir)]);
  try {
    let largest = 0;
    let squares = 0;
    let count = 0;
    for (let il = 0; il < a.shape[0]; il++) {
      const [x, y] = [(await a.inline(il)).data, (await b.inline(il)).data];
      for (let i = 0; i < x.length; i++) {
        largest = Math.max(largest, Math.abs(x[i]! - y[i]!));
        squares += x[i]! ** 2;
      }
      count += x.length;
    }
    return largest / Math.sqrt(squares / count || 1);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

export async function benchApply(options: ApplyBenchOptions): Promise<{ report: string; backend: string }> {
  const home = mkdtempSync(path.join(tmpdir(), 'promethium-bench-apply-'));
  const bundles = options.computeBundles.map((bundle) => path.resolve(bundle));
  try {
    mkdirSync(path.join(home, 'project'), { recursive: true });
    const setup = servicesOn(home, bundles[0]!);
    let surveys: { cube: string; line: string };
    let backend;
    try {
      surveys = {
        cube: await importGenerated(setup, home, 'cube', options.cube),
        line: await importGenerated(setup, home, 'line', [2, ...options.line]),
      };
      backend = await setup.compute.probeBackend();
    } finally {
      setup.close();
    }
    const runs = new Map<string, RunResult[]>(bundles.map((bundle) => [bundle, []]));
    for (let run = 0; run < options.runs; run++) {
      for (const bundle of bundles) {
        const result = await measureRun(home, bundle, surveys, options);
        console.log(
          `${bundle}: ${result.seconds.toFixed(1)} s, clicks ${result.coldClick.toFixed(2)} s cold, ` +
            `${result.warmClicks.map((s) => s.toFixed(2)).join(' ')} s warm`,
        );
        runs.get(bundle)!.push(result);
      }
    }
    const report = await applyReport(options, backend, runs);
    return { report, backend: backend.backend };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

async function applyReport(
  options: ApplyBenchOptions,
  backend: { backend: string; device: string; fallbacks: { backend: string; reason: string }[] },
  runs: Map<string, RunResult[]>,
): Promise<string> {
  const [inlines, crosslines, samples] = options.cube;
  const cubeSamples = inlines * crosslines * samples;
  const entries = [...runs.entries()];
  const first = entries[0]![1][0]!;
  // Its folder and file: builds of several commits may share a file name (dist/compute.cjs, .bench/A/compute.cjs).
  const name = (bundle: string): string => path.join(path.basename(path.dirname(bundle)), path.basename(bundle));
  const rows = await Promise.all(
    entries.map(async ([bundle, results]) => {
      const seconds = median(results.map((r) => r.seconds));
      const difference =
        bundle === entries[0]![0] ? 0 : await relativeDifference(first.volumeDir, results[0]!.volumeDir);
      return (
        `| ${name(bundle)} | **${(cubeSamples / seconds / 1e6).toPrecision(3)} M** | ${seconds.toFixed(1)} s | ` +
        `${median(results.map((r) => r.secondsPerInline)).toFixed(2)} s | ` +
        `${median(results.map((r) => r.coldClick)).toFixed(2)} s | ` +
        `${median(results.flatMap((r) => r.warmClicks)).toFixed(2)} s | ${difference.toExponential(1)} |`
      );
    }),
  );
  const phaseNames = [...new Set(entries.flatMap(([, results]) => results.flatMap((r) => [...r.phases.keys()])))];
  // Each phase's median over the runs of a bundle.
  const medianPhases = entries.map(
    ([, results]) =>
      new Map(phaseNames.map((phase) => [phase, median(results.map((r) => r.phases.get(phase) ?? 0))] as const)),
  );
  phaseNames.sort((a, b) => (medianPhases[0]!.get(b) ?? 0) - (medianPhases[0]!.get(a) ?? 0));
  const phaseRows = phaseNames.map((phase) => {
    const cells = medianPhases.map((phases) => {
      const total = [...phases.values()].reduce((a, b) => a + b, 0);
      const ms = phases.get(phase) ?? 0;
      return `${(ms / 1000).toFixed(1)} s (${((100 * ms) / total).toFixed(0)} %)`;
    });
    return `| ${phase} | ${cells.join(' | ')} |`;
  });
  const [traces, lineSamples] = options.line;
  const clickSamples = (options.clicks + 1) * traces * lineSamples;
  const perMillion = (of: (r: RunResult) => number) =>
    entries.map(([, results]) => `**${median(results.map(of)).toFixed(2)} s**`).join(' | ');
  const fallbacks = backend.fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; ');
  return [
    `Apply to volume of a ${options.cube.join(' x ')} generated cube (${(cubeSamples / 1e6).toPrecision(3)} M samples, ` +
      `0 dB Gaussian noise) with ${first.method} at checked strength, then the one-click denoise of a ` +
      `${options.line.join(' x ')} line (cold: the first click, 5 s after the compute process was ready; warm: the ` +
      `${options.clicks} after it); backend ${backend.backend} (${backend.device})` +
      `${fallbacks ? `, after ${fallbacks}` : ''}. Medians of ${options.runs} run(s) per compute bundle:`,
    '',
    '| compute bundle | samples/s | apply job | an inline | click, cold | click, warm | largest difference to the first bundle / RMS |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    "Where each compute process's time went in its apply (CPU profile, self time by source file, medians of the runs):",
    '',
    `| phase | ${entries.map(([bundle]) => name(bundle)).join(' | ')} |`,
    `| --- |${entries.map(() => ' --- |').join('')}`,
    ...phaseRows,
    '',
    'The work around the network (every phase but the network, waiting and start-up), seconds per million samples:',
    '',
    `| | ${entries.map(([bundle]) => name(bundle)).join(' | ')} |`,
    `| --- |${entries.map(() => ' --- |').join('')}`,
    `| apply to volume | ${perMillion((r) => aroundTheNetwork(r.phases, cubeSamples))} |`,
    `| the ${options.clicks + 1} clicks | ${perMillion((r) => aroundTheNetwork(r.clickPhases, clickSamples))} |`,
  ].join('\n');
}

function ended(services: AppServices, id: string): Promise<JobInfo> {
  const now = services.jobs.get(id);
  if (!['queued', 'running'].includes(now.state)) return Promise.resolve(now);
  return jobWhen(services, id);
}
