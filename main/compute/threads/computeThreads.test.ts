import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bandpass } from '../../processing/bandpass';
import { confineToInput } from '../../processing/confineToInput';
import { denoiseAtCheckedStrength } from '../../ml/sure';
import { linearEventsSection } from '../../processing/testSections';
import { seededRandom } from '../../signal/random';
import type { SectionShape } from '../../signal/metrics';
import type { BandpassOptions } from '../../processing/bandpass';
import { onnxRuntimeAvailable } from '../../ml/onnx/onnxRuntime';
import { ComputeThreadPool, computeThreadCount, MIN_TRACES_PER_RANGE, traceRanges } from './computeThreads';

const folder = mkdtempSync(path.join(tmpdir(), 'promethium-compute-threads-'));
// The worker bundle as scripts/build.mjs makes it.
const script = path.join(folder, 'computeThreadWorker.cjs');
const shape = { traces: 300, samples: 400 };
const DT = 0.004;
/** Dead traces, some of them on the border of the two ranges two threads get (150). */
const DEAD = [0, 1, 40, 149, 150, 151, 152, 299];

/** Dipping events, a sloping top mute, a surgical mute, zero padding at the end, dead traces; seed 3. */
function mutedSection(): { section: Float32Array; live: Uint8Array } {
  const section = linearEventsSection(shape, [
    { firstSample: 80, dip: 1, amplitude: 1000 },
    { firstSample: 350, dip: -1, amplitude: 600 },
  ]);
  const random = seededRandom(3);
  for (let i = 0; i < section.length; i++) section[i]! += 40 * (random() - 0.5);
  const live = new Uint8Array(shape.traces).fill(1);
  for (let t = 0; t < shape.traces; t++) {
    const trace = section.subarray(t * shape.samples, (t + 1) * shape.samples);
    trace.fill(0, 0, 20 + Math.floor(t / 4));
    trace.fill(0, shape.samples - 15);
    if (t % 7 === 0) trace.fill(0, 200, 230);
    if (DEAD.includes(t)) {
      trace.fill(0);
      live[t] = 0;
    }
  }
  return { section, live };
}

/** A model's output that invents energy: a 2 Hz stripe per trace over the whole trace, and white noise; seed 5. */
function inventedOutput(section: Float32Array): Float32Array {
  const random = seededRandom(5);
  return Float32Array.from(section, (v, i) => {
    const t = Math.floor(i / shape.samples);
    return v + 300 * Math.sin(2 * Math.PI * 2 * (i % shape.samples) * DT + t) + 20 * (random() - 0.5);
  });
}

let pool: ComputeThreadPool;
/** The threads the strength check's lowpasses run on in these tests. */
const bandpassOnPool = (section: Float32Array, shape: SectionShape, options: BandpassOptions): Promise<Float32Array> =>
  pool.bandpass(section, shape, options);

beforeAll(async () => {
  await build({
    entryPoints: [path.join(__dirname, 'computeThreadWorker.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
  });
  pool = new ComputeThreadPool(script, 2);
});

afterAll(async () => {
  await pool.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('traceRanges', () => {
  it('covers the traces in ranges of at least MIN_TRACES_PER_RANGE, one per thread at most', () => {
    expect(traceRanges(300, 2)).toEqual([
      { from: 0, to: 150 },
      { from: 150, to: 300 },
    ]);
    expect(traceRanges(200, 15)).toHaveLength(Math.floor(200 / MIN_TRACES_PER_RANGE));
    expect(traceRanges(10, 4)).toEqual([{ from: 0, to: 10 }]);
    const ranges = traceRanges(1000, 15);
    expect(ranges).toHaveLength(15);
    ranges.forEach((range, k) => expect(range.from).toBe(k === 0 ? 0 : ranges[k - 1]!.to));
    expect(ranges.at(-1)!.to).toBe(1000);
  });
});

describe('confinement threads', () => {
  it.each(['denoise', 'interpolate'] as const)('confine the %s result exactly as this thread does', async (task) => {
    const { section, live } = mutedSection();
    const output = inventedOutput(section);
    const options = { task, sampleIntervalS: DT };
    const inThread = confineToInput(section, output, shape, live, options);
    const before = Float32Array.from(output);
    const pooled = await pool.confine(section, shape, live, options, output);
    expect(pooled).toEqual(inThread);
    // The caller's arrays are left as they were (nothing transferred away from it).
    expect(output).toEqual(before);
    // The cap did change the output: the comparison is not of two copies of it.
    expect(pooled).not.toEqual(output);
  });

  it('confine several sections at once, each as this thread does', async () => {
    const { section, live } = mutedSection();
    const options = { task: 'denoise', sampleIntervalS: DT } as const;
    const outputs = [1, 2, 3].map((gain) => Float32Array.from(inventedOutput(section), (v) => gain * v));
    const pooled = await Promise.all(outputs.map((output) => pool.confine(section, shape, live, options, output)));
    pooled.forEach((result, k) => expect(result).toEqual(confineToInput(section, outputs[k]!, shape, live, options)));
  });

  it('fail the section with an error saying so when a thread dies, instead of waiting for it', async () => {
    const crashing = path.join(folder, 'crashingWorker.cjs');
    writeFileSync(crashing, "require('node:worker_threads').parentPort.on('message', () => process.exit(3));\n");
    const broken = new ComputeThreadPool(crashing, 2);
    const { section, live } = mutedSection();
    const options = { task: 'denoise', sampleIntervalS: DT } as const;
    await expect(broken.confine(section, shape, live, options, section)).rejects.toThrow(
      'confining the result to the input failed: a compute thread stopped (exit code 3)',
    );
    expect(broken.broken).toBe(true);
    await expect(broken.bandpass(section, shape, { corners: [0, 0, 6, 12], dt: DT })).rejects.toThrow(
      "the strength check's lowpass failed: a compute thread stopped (exit code 3)",
    );
    await broken.close();
  });
});

describe("the strength check's lowpasses on compute threads", () => {
  const lowpass = { corners: [0, 0, 6, 12], dt: DT } as const;

  it('bandpass a section exactly as this thread does, leaving the caller its array', async () => {
    const { section } = mutedSection();
    const input = inventedOutput(section);
    const before = Float32Array.from(input);
    const pooled = await pool.bandpass(input, shape, lowpass);
    expect(pooled).toEqual(bandpass(input, shape, lowpass));
    expect(input).toEqual(before);
    expect(pooled).not.toEqual(input);
  });

  it('bandpass a view into a larger array, and a section too narrow to cut, as this thread does', async () => {
    const { section } = mutedSection();
    const narrow = { traces: 40, samples: shape.samples };
    const view = section.subarray(100 * shape.samples, 140 * shape.samples);
    expect(await pool.bandpass(view, narrow, lowpass)).toEqual(bandpass(view, narrow, lowpass));
  });

  it('give the strength check the same result and figures as in this thread', async () => {
    const { section, live } = mutedSection();
    const noisy = inventedOutput(section);
    // A denoiser that removes part of the swell and of the noise: a trace-by-trace mix with a smoothed copy.
    const denoise = async (input: Float32Array): Promise<Float32Array> =>
      Float32Array.from(input, (v, i) => 0.5 * v + 0.25 * ((input[i - 1] ?? v) + (input[i + 1] ?? v)));
    const inThread = await denoiseAtCheckedStrength(denoise, noisy, shape, live, { sampleIntervalS: DT });
    const pooled = await denoiseAtCheckedStrength(denoise, noisy, shape, live, {
      sampleIntervalS: DT,
      bandpass: bandpassOnPool,
    });
    expect(pooled).toEqual(inThread);
    expect(inThread.lowRemoval.some((v) => v !== 0)).toBe(true);
  });
});

describe('computeThreadCount', () => {
  afterEach(() => vi.unstubAllEnvs());
  const cores = availableParallelism();

  it('leaves the thread that feeds a GPU its core', () => {
    expect(computeThreadCount('webgpu')).toBe(cores - 1);
  });

  it.skipIf(!onnxRuntimeAvailable().available)('takes only the cores ONNX Runtime leaves on the CPU', () => {
    vi.stubEnv('PROMETHIUM_INFERENCE_ENGINE', 'onnx');
    expect(computeThreadCount('wasm')).toBe(0);
    vi.stubEnv('PROMETHIUM_INFERENCE_THREADS', '1');
    expect(computeThreadCount('wasm')).toBe(cores - 1);
  });

  it('follows PROMETHIUM_COMPUTE_THREADS, and names it when it is not a count', () => {
    vi.stubEnv('PROMETHIUM_COMPUTE_THREADS', '3');
    expect(computeThreadCount('wasm')).toBe(3);
    vi.stubEnv('PROMETHIUM_COMPUTE_THREADS', 'all');
    expect(() => computeThreadCount('webgpu')).toThrow('PROMETHIUM_COMPUTE_THREADS=all is not a whole number');
  });
});
