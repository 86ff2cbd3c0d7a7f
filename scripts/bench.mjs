// `npm run bench -- <suite>`: bundles test/bench/main.ts (it needs the TypeScript sources and the native modules) and
// runs it. Suites: segy (SEG-Y engine vs segyio), quality (reconstruction quality). Results go to BENCHMARKS.md.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';

await build({
  entryPoints: { bench: 'test/bench/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  external: ['electron', 'better-sqlite3', '@tensorflow/*', 'webgpu', 'bufferutil', 'utf-8-validate'],
});
const result = spawnSync(process.execPath, ['--expose-gc', 'dist/bench.cjs', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exitCode = result.status ?? 1;
