/**
 * `npm run bench -- wave [samplesPerFamily]`: the finite-difference modeller on one OpenFWI sample (5 shots x 1000 steps
 * on 70 x 70 cells + the 120-cell border = 310 x 310 points), next to the same update in numpy (test/bench/
 * wave_numpy.py) in the same run, and the semblance + Dix baseline: its time per sample and its quality per model
 * family in OpenFWI's units on seeded samples no test uses.
 */
import { DAWN_FLAGS } from '../../main/ml/webgpu/matrixDevice';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { deriveSeed } from '../../main/signal/random';
import { VELOCITY_FAMILIES, velocityModel } from '../../main/synth/velocityModels';
import {
  modelOpenFwiShots,
  OPENFWI,
  OPENFWI_RECEIVERS,
  OPENFWI_WAVELET,
  openFwiModeller,
  openFwiModellingOptions,
} from '../../main/velocity/openfwiLayout';
import { semblanceVelocityMap } from '../../main/velocity/semblanceBaseline';
import { meanLateralSpread, velocityMapQuality, type VelocityMapQuality } from '../../main/velocity/velocityMetrics';
import { PreparedModel } from '../../main/wave/acousticModeller';
import { WebgpuModeller, type GpuDeviceLike } from '../../main/wave/webgpuModeller';
import { median } from './stats';

const PYTHON = '/usr/bin/python3';
const NUMPY_SCRIPT = path.resolve('test/bench/wave_numpy.py');
const MODELLING_RUNS = 3;
const BENCH_SEED = 90_210;

function timed<T>(work: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = work();
  return { value, ms: performance.now() - start };
}

function modellingReport(): string {
  const model = velocityModel('flat', BENCH_SEED, OPENFWI.cells, OPENFWI.cells);
  const updates = openFwiModeller(model).updatesPerShot * OPENFWI.sourceColumns.length;
  const sampleMs = median(Array.from({ length: MODELLING_RUNS }, () => timed(() => modelOpenFwiShots(model)).ms));
  const numpy = JSON.parse(execFileSync(PYTHON, [NUMPY_SCRIPT, String(MODELLING_RUNS)], { encoding: 'utf8' })) as {
    numpyVersion: string;
    shotMs: number;
  };
  const numpySampleMs = numpy.shotMs * OPENFWI.sourceColumns.length;
  return [
    '| modeller (8th order in space, one thread) | one OpenFWI sample | grid-point updates/s | ratio |',
    '|---|---|---|---|',
    `| Promethium (main/wave, Float32Array loops) | ${(sampleMs / 1000).toFixed(2)} s | ${(updates / sampleMs / 1e3).toFixed(0)} M | 1 |`,
    `| numpy ${numpy.numpyVersion} slices, same update | ${(numpySampleMs / 1000).toFixed(2)} s | ${(updates / numpySampleMs / 1e3).toFixed(0)} M | ${(numpySampleMs / sampleMs).toFixed(2)} |`,
    '',
    `${(updates / 1e6).toFixed(0)} M updates per sample; medians of ${MODELLING_RUNS} runs (numpy: of ${MODELLING_RUNS} shots, x 5). Load average at the end: ${os.loadavg()[0]!.toFixed(1)}.`,
  ].join('\n');
}

function baselineReport(samplesPerFamily: number): string {
  const rows = [
    '| family | samples | MAE | RMSE | MAPE % | SSIM | lateral spread, m/s |',
    '|---|---|---|---|---|---|---|',
  ];
  const baselineMs: number[] = [];
  for (const family of VELOCITY_FAMILIES) {
    const qualities: VelocityMapQuality[] = [];
    const spreads: number[] = [];
    for (let i = 0; i < samplesPerFamily; i++) {
      const truth = velocityModel(family, deriveSeed(BENCH_SEED, family, i), OPENFWI.cells, OPENFWI.cells);
      const shots = modelOpenFwiShots(truth);
      const { value: map, ms } = timed(() => semblanceVelocityMap(shots));
      baselineMs.push(ms);
      qualities.push(velocityMapQuality(truth, map));
      spreads.push(meanLateralSpread(map));
    }
    const mean = (key: keyof VelocityMapQuality) => qualities.reduce((sum, q) => sum + q[key], 0) / qualities.length;
    rows.push(
      `| ${family} | ${qualities.length} | ${mean('mae').toFixed(4)} | ${mean('rmse').toFixed(4)} | ${mean('mape').toFixed(1)} | ${mean('ssim').toFixed(3)} | ${(spreads.reduce((a, b) => a + b, 0) / spreads.length).toFixed(0)} |`,
    );
  }
  return [
    'Semblance + Dix baseline (main/velocity/semblanceBaseline.ts), means over seeded samples; MAE and RMSE in OpenFWI units',
    '(1500-4500 m/s scaled to [-1, 1]). For comparison, InversionNet as published with OpenFWI: FlatVel-A MAE 0.0195,',
    'SSIM 0.973; CurveVel-A MAE 0.0727, SSIM 0.806 (their families, not these generated ones). Lateral spread: the',
    "standard deviation across the map's columns, averaged over depth (main/velocity/velocityMetrics.ts); the true maps",
    'have 0 for the flat family, so there it is an artefact of the method.',
    '',
    ...rows,
    '',
    `Baseline time per sample: ${(median(baselineMs) / 1000).toFixed(2)} s (median).`,
  ].join('\n');
}

export function benchWave(samplesPerFamily: number): string {
  return `${modellingReport()}\n\n${baselineReport(samplesPerFamily)}`;
}

/**
 * `gpu-bench.cjs wave-gpu DAWN_PATH` on a GPU machine: one OpenFWI sample through the WebGPU modeller (median of 5 after
 * a warm-up), its traces against the CPU modeller's, and the updates per second. Prints one JSON line.
 */
export async function benchWaveGpu(dawnPath: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a native module carried next to the bundle
  const dawn = require(dawnPath) as {
    create(flags: string[]): { requestAdapter(): Promise<{ requestDevice(): Promise<GpuDeviceLike> } | null> };
    globals: object;
  };
  Object.assign(globalThis, dawn.globals);
  // The same Dawn flags as the ML engine (main/ml/webgpu/matrixDevice.ts), which is known to run on these machines.
  const adapter = await dawn.create(DAWN_FLAGS).requestAdapter();
  if (!adapter) throw new Error('Dawn found no GPU adapter');
  console.log('WAVE_GPU adapter found; modelling one OpenFWI sample on the GPU');
  const model = velocityModel('curvefault', BENCH_SEED, OPENFWI.cells, OPENFWI.cells);
  const prepared = new PreparedModel(
    { velocity: model, nx: OPENFWI.cells, nz: OPENFWI.cells, spacingM: OPENFWI.spacingM },
    OPENFWI_WAVELET,
    openFwiModellingOptions(),
  );
  const gpu = new WebgpuModeller(await adapter.requestDevice(), prepared);
  const shots = OPENFWI.sourceColumns.map((x) => ({
    source: { x, z: OPENFWI.surfaceRow },
    receivers: OPENFWI_RECEIVERS,
  }));
  await gpu.shoot(shots);
  const times: number[] = [];
  let traces: Float32Array[] = [];
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    traces = await gpu.shoot(shots);
    times.push(performance.now() - start);
  }
  gpu.destroy();
  console.log(`WAVE_GPU GPU runs done (median ${median(times).toFixed(1)} ms); the CPU reference next`);
  const cpu = modelOpenFwiShots(model);
  const peak = cpu.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
  let worst = 0;
  traces.forEach((shot, s) =>
    shot.forEach((value, i) => (worst = Math.max(worst, Math.abs(value - cpu[s * shot.length + i]!)))),
  );
  const updates = prepared.updatesPerShot * shots.length;
  const sampleMs = median(times);
  console.log(
    `WAVE_GPU ${JSON.stringify({ sampleMs, updatesPerS: updates / (sampleMs / 1000), maxRelativeDifferenceToCpu: worst / peak })}`,
  );
}
