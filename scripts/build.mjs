// Builds the four Node-side bundles (Electron main, preload, compute process, CLI) with esbuild and the renderer with
// Vite. Run by `npm install` (prepare) and `npm run build`. Native packages and tfjs stay external and load from
// node_modules at run time (electron-builder ships them; native ones unpacked from the asar); the rest, including
// ESM-only packages such as zarrita, is bundled.
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { readFileSync, rmSync } from 'node:fs';
import { RUNTIME_PACKAGES } from './runtimePackages.mjs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const started = performance.now();
rmSync('dist', { recursive: true, force: true });

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { PROMETHIUM_VERSION: JSON.stringify(version) },
  outExtension: { '.js': '.cjs' },
};

await Promise.all([
  build({ ...node, entryPoints: { app: 'main/app/main.ts' }, outdir: 'dist', external: RUNTIME_PACKAGES }),
  build({ ...node, entryPoints: { compute: 'main/compute/main.ts' }, outdir: 'dist', external: RUNTIME_PACKAGES }),
  build({ ...node, entryPoints: { cli: 'main/cli/main.ts' }, outdir: 'dist', external: RUNTIME_PACKAGES }),
  // The wasm inference threads of the compute process and the CLI (main/ml/parallelInference.ts).
  build({
    ...node,
    entryPoints: { inferenceWorker: 'main/ml/inferenceWorker.ts' },
    outdir: 'dist',
    external: RUNTIME_PACKAGES,
  }),
  // The compute threads of the compute process and the CLI: confinement, the strength check's lowpasses
  // (main/compute/threads/).
  build({
    ...node,
    entryPoints: { computeThreadWorker: 'main/compute/threads/computeThreadWorker.ts' },
    outdir: 'dist',
    external: RUNTIME_PACKAGES,
  }),
  // The view thread of the main process (main/workflows/viewThread/): recording windows, the LOD cube.
  build({
    ...node,
    entryPoints: { viewWorker: 'main/workflows/viewThread/viewWorker.ts' },
    outdir: 'dist',
    external: RUNTIME_PACKAGES,
  }),
  // The worker processes of an apply or a training spread over several GPUs (main/compute/workers/).
  build({
    ...node,
    entryPoints: {
      applyWorker: 'main/compute/workers/applyWorker.ts',
      trainWorker: 'main/compute/workers/trainWorker.ts',
    },
    outdir: 'dist',
    external: RUNTIME_PACKAGES,
  }),
  // A sandboxed preload can require only 'electron': everything else is bundled into it.
  build({ ...node, entryPoints: { preload: 'preload/bridge.ts' }, outdir: 'dist', external: ['electron'] }),
  viteBuild({ configFile: 'vite.config.mts', logLevel: 'warn' }),
]);
console.log(
  `built dist/ (app, preload, compute, cli, renderer) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
