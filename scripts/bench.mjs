// `npm run bench -- <suite>`: bundles test/bench/main.ts (it needs the TypeScript sources and the native modules) and
// runs it. Suites: segy (SEG-Y engine vs segyio), quality (reconstruction quality), wave (finite-difference modelling vs numpy, the velocity baseline). Results go to BENCHMARKS.md.
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RUNTIME_PACKAGES } from './runtimePackages.mjs';

await build({
  // inferenceWorker: the wasm inference threads (main/ml/parallelInference.ts) load it from next to the bench.
  entryPoints: {
    bench: 'test/bench/main.ts',
    inferenceWorker: 'main/ml/inferenceWorker.ts',
    // The compute threads (main/compute/threads/), found next to the bench and the compute bundles.
    computeThreadWorker: 'main/compute/threads/computeThreadWorker.ts',
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

/** A bundle for the GPU machine: everything but the native modules (and what never runs there) inside. */
function gpuBundle(entryPoints, outdir = '.gpu') {
  return {
    entryPoints,
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    external: [
      'electron',
      'webgpu',
      'onnxruntime-node',
      'bufferutil',
      'utf-8-validate',
      '@tensorflow/tfjs-node-gpu',
      '@tensorflow/tfjs-backend-wasm',
      // Loaded only by the viewer benchmark (a dynamic import), which never runs on the GPU machine.
      'playwright-core',
    ],
  };
}

/**
 * The compute process bundled whole from the checkout at `root`, as .gpu/<name>.cjs.xz with its source map (the apply
 * benchmark maps its profile through it). Compressed: a GPU call carries at most 64 MiB, most of it Node and Dawn;
 * test/bench/gpu-apply.sh unpacks them.
 */
async function buildCompressedCompute(root, name) {
  const dir = mkdtempSync(path.join(tmpdir(), 'promethium-gpu-compute-'));
  try {
    await build({
      ...gpuBundle({ [name]: 'main/compute/main.ts' }, dir),
      absWorkingDir: path.resolve(root),
      sourcemap: 'linked',
      sourcesContent: false,
    });
    for (const file of [`${name}.cjs`, `${name}.cjs.map`]) {
      execFileSync('xz', ['-T2', '-6', '-f', path.join(dir, file)]);
      copyFileSync(path.join(dir, `${file}.xz`), path.join('.gpu', `${file}.xz`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The compute bundle of commit `ref`, built in a temporary worktree of it (with this checkout's node_modules). */
async function buildComputeAt(ref) {
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { encoding: 'utf8' }).trim();
  const root = mkdtempSync(path.join(tmpdir(), 'promethium-baseline-'));
  execFileSync('git', ['worktree', 'add', '--detach', root, commit], { stdio: 'ignore' });
  try {
    symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'));
    await buildCompressedCompute(root, `compute-${commit}`);
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', root]);
  }
}

// The GPU machine has no node_modules: `ml-gpu-prep [--baseline REF]` bundles everything but the native modules into
// .gpu/ and carries better-sqlite3's native module as a file (found there through PROMETHIUM_SQLITE_BINDING; Dawn's
// through PROMETHIUM_DAWN_NODE or a path argument). test/bench/gpu.sh, gpu-train.sh and gpu-apply.sh run them there;
// with --baseline, gpu-apply.sh measures the compute process of commit REF in the same run.
if (process.argv[2] === 'ml-gpu-prep') {
  mkdirSync('.gpu', { recursive: true });
  await build(
    gpuBundle({
      'gpu-bench': 'test/bench/main.ts',
      'gpu-train': 'main/ml/bundled/gpuTrainMain.ts',
      'velocity-gpu': 'main/cli/velocityGpuMain.ts',
      // The compute bundles' compute threads: gpu-apply.sh puts it next to them.
      computeThreadWorker: 'main/compute/threads/computeThreadWorker.ts',
    }),
  );
  copyFileSync('node_modules/better-sqlite3/build/Release/better_sqlite3.node', '.gpu/better_sqlite3.node');
  await buildCompressedCompute('.', 'compute');
  const baseline = process.argv.indexOf('--baseline');
  if (baseline > 0) await buildComputeAt(process.argv[baseline + 1]);
  console.log(
    'wrote .gpu/gpu-bench.cjs, gpu-train.cjs, velocity-gpu.cjs, computeThreadWorker.cjs, better_sqlite3.node and compute*.cjs(.map).xz: run ' +
      'test/bench/gpu.sh, gpu-train.sh, gpu-apply.sh or gpu-velocity.sh on a GPU machine',
  );
  process.exit(0);
}
const result = spawnSync(process.execPath, ['--expose-gc', 'dist/bench.cjs', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exitCode = result.status ?? 1;
