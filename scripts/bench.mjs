// `npm run bench -- <suite>`: bundles test/bench/main.ts (it needs the TypeScript sources and the native modules) and
// runs it. Suites: segy (SEG-Y engine vs segyio), quality (reconstruction quality), wave (finite-difference modelling vs numpy, the velocity baseline). Results go to BENCHMARKS.md.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { RUNTIME_PACKAGES } from './runtimePackages.mjs';

await build({
  // inferenceWorker: the wasm inference threads (main/ml/parallelInference.ts) load it from next to the bench.
  entryPoints: {
    bench: 'test/bench/main.ts',
    inferenceWorker: 'main/ml/inferenceWorker.ts',
    // The worker processes of the multigpu suites (main/compute/workers/).
    applyWorker: 'main/compute/workers/applyWorker.ts',
    trainWorker: 'main/compute/workers/trainWorker.ts',
  },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  external: [...RUNTIME_PACKAGES, 'playwright-core'],
});
// The GPU machine has no node_modules: `ml-gpu-prep` bundles everything but Dawn's native module into .gpu/.
if (process.argv[2] === 'ml-gpu-prep') {
  const gpuBundle = (entry, outfile) => ({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    external: [
      'electron',
      'better-sqlite3',
      'webgpu',
      'bufferutil',
      'utf-8-validate',
      '@tensorflow/tfjs-node-gpu',
      '@tensorflow/tfjs-backend-wasm',
      // Loaded only by the viewer benchmark (a dynamic import), which never runs on the GPU machine.
      'playwright-core',
    ],
  });
  await build(gpuBundle('test/bench/main.ts', '.gpu/gpu-bench.cjs'));
  await build(gpuBundle('main/ml/bundled/gpuTrainMain.ts', '.gpu/gpu-train.cjs'));
  await build(gpuBundle('main/cli/velocityGpuMain.ts', '.gpu/velocity-gpu.cjs'));
  console.log(
    'wrote .gpu/gpu-bench.cjs, .gpu/gpu-train.cjs and .gpu/velocity-gpu.cjs: run test/bench/gpu.sh, gpu-train.sh or gpu-velocity.sh on a GPU machine',
  );
  process.exit(0);
}
const result = spawnSync(process.execPath, ['--expose-gc', 'dist/bench.cjs', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exitCode = result.status ?? 1;
