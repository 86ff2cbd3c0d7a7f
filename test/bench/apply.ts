/**
 * `npm run bench -- apply [INLINES]`: apply to volume of a generated cube through the real job path (the project's
 * services, the job in the compute process) with the bundled default denoiser at checked strength, on whatever backend
 * the compute process chooses. Reports samples per second and where the compute process's time went: it runs under
 * `--cpu-prof`, and the profile's self time is mapped back through the bundle's source map to the source files,
 * grouped into the phases of an inline (reading the cache, scaling, tiling and blending, the network, the strength
 * check, filters, writing).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JobInfo } from '../../preload/contract';
import { forkComputeLauncher } from '../../main/jobs/forkCompute';
import { AppServices } from '../../main/workflows/services';
import { jobWhen } from '../support/services';

const CUBE = { crosslines: 200, samples: 1000 };

/** Phases of an inline, by the source file a profiled function comes from (first match wins). */
const PHASES: [phase: string, pattern: RegExp][] = [
  ['reading the cache', /main\/survey\/(cache|sectionReader)|zarrita|numcodecs/],
  ['writing the volume', /main\/survey\/(derivedVolume|cacheFiles)/],
  ['scaling (normalisation)', /main\/ml\/normalization/],
  ['tiling and blending', /main\/ml\/tiling/],
  ['strength check arithmetic', /main\/ml\/sure|main\/ml\/strength/],
  ['filters and FFTs', /main\/(processing|signal)\//],
  ['the network (tfjs / ONNX Runtime)', /tensorflow|tfjs|onnx|main\/ml\/(parallelInference|inferenceGraph|onnx)/],
  ['the rest of the reconstruction', /main\/(ml|compute)\//],
];

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
  const phaseOfNode = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    let source = url;
    if (url.endsWith('compute.cjs')) {
      const entry = map.findEntry(lineNumber, columnNumber) as { originalSource?: string };
      source = entry.originalSource ?? url;
    }
    const special = /^\((idle|program|garbage collector)\)$/.exec(functionName)?.[1];
    const phase =
      special === 'idle'
        ? 'waiting (ONNX Runtime threads, file I/O)'
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

export async function benchApply(inlines: number): Promise<{ report: string; backend: string }> {
  const home = mkdtempSync(path.join(tmpdir(), 'promethium-bench-apply-'));
  const profiles = path.join(home, 'profiles');
  const bundle = path.resolve('dist/compute.cjs');
  const services = new AppServices({
    userDataDir: home,
    projectDir: path.join(home, 'project'),
    bundledModelsDir: path.resolve('resources/models'),
    host: {
      kind: 'browser',
      versions: {},
      launchCompute: forkComputeLauncher(bundle, process.env, ['--cpu-prof', `--cpu-prof-dir=${profiles}`]),
      showOpenDialog: async () => ({ canceled: true, paths: [] }),
    },
  });
  try {
    const segy = path.join(home, 'cube.sgy');
    const size = ['--inlines', inlines, '--crosslines', CUBE.crosslines, '--samples', CUBE.samples].map(String);
    execFileSync(process.execPath, ['bin/promethium.cjs', 'synth', '--out', segy, ...size, '--noise', 'gaussian:0']);
    const imported = services.surveys.startImport({ path: segy });
    await ended(services, imported.job.id);
    const backend = await services.compute.probeBackend();
    const { job } = await services.volumes.apply({
      surveyId: imported.survey.id,
      task: 'denoise',
      tta: false,
      ensemble: 1,
      fullStrength: false,
    });
    const done = await ended(services, job.id);
    if (done.state !== 'done') throw new Error(`apply ${done.state}: ${done.error?.message ?? ''}`);
    const result = done.result as { seconds: number; secondsPerReconstructedInline: number; method: string };
    services.compute.stop(); // the profile is written when the compute process exits
    await new Promise((resolve) => setTimeout(resolve, 3000));
    // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: thread 0 is the compute process's main thread.
    const profileFile = readdirSync(profiles).find((name) => /\.\d+\.0\.\d+\.cpuprofile$/.test(name));
    if (!profileFile) throw new Error('the compute process wrote no CPU profile');
    const phases = phasesOf(JSON.parse(readFileSync(path.join(profiles, profileFile), 'utf8')) as CpuProfile, bundle);
    const samples = inlines * CUBE.crosslines * CUBE.samples;
    const total = [...phases.values()].reduce((a, b) => a + b, 0);
    const rows = [...phases.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([phase, ms]) => `| ${phase} | ${(ms / 1000).toFixed(1)} s | ${((100 * ms) / total).toFixed(0)} % |`);
    const report = [
      `Apply to volume of a ${inlines} x ${CUBE.crosslines} x ${CUBE.samples} generated cube (${(samples / 1e6).toFixed(0)} M ` +
        `samples, 0 dB Gaussian noise) with ${result.method} at checked strength; backend ${backend.backend} (${backend.device}):`,
      '',
      `**${(samples / result.seconds / 1e6).toFixed(2)} M samples/s** (${result.seconds.toFixed(1)} s in the job, ` +
        `${result.secondsPerReconstructedInline.toFixed(2)} s an inline of ${CUBE.crosslines} x ${CUBE.samples}).`,
      '',
      "Where the compute process's time went (CPU profile, self time by source file):",
      '',
      '| phase | time | share |',
      '| --- | --- | --- |',
      ...rows,
    ].join('\n');
    return { report, backend: backend.backend };
  } finally {
    services.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function ended(services: AppServices, id: string): Promise<JobInfo> {
  const now = services.jobs.get(id);
  if (!['queued', 'running'].includes(now.state)) return Promise.resolve(now);
  return jobWhen(services, id);
}
