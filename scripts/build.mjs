// Builds the four Node-side bundles (Electron main, preload, compute process, CLI) with esbuild and the renderer with
// Vite. Run by `npm install` (prepare) and `npm run build`. Native and large runtime packages stay external and load
// from node_modules (electron-builder ships node_modules; native ones are unpacked from the asar).
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { readFileSync, rmSync } from 'node:fs';

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
  // Every package import stays a runtime require, so one copy of tfjs-core is shared by all backends.
  build({ ...node, entryPoints: { app: 'main/app/main.ts' }, outdir: 'dist', packages: 'external' }),
  build({ ...node, entryPoints: { compute: 'main/compute/main.ts' }, outdir: 'dist', packages: 'external' }),
  build({ ...node, entryPoints: { cli: 'main/cli/main.ts' }, outdir: 'dist', packages: 'external' }),
  // A sandboxed preload can require only 'electron': everything else is bundled into it.
  build({ ...node, entryPoints: { preload: 'preload/bridge.ts' }, outdir: 'dist', external: ['electron'] }),
  viteBuild({ configFile: 'vite.config.mts', logLevel: 'warn' }),
]);
console.log(`built dist/ (app, preload, compute, cli, renderer) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
