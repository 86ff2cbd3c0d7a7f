/** For the tests of spread jobs: worker bundles built from the sources, and CPU workers to run them. */
import path from 'node:path';
import { build } from 'esbuild';
import type { WorkerDevice } from './workerProcess';

/** Bundles the worker entry `name` (applyWorker, trainWorker) into `dir`, as plain node runs no TypeScript. */
export async function bundleWorker(name: string, dir: string): Promise<string> {
  const outfile = path.join(dir, `${name}.cjs`);
  await build({
    entryPoints: [path.join(__dirname, `${name}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    external: ['@tensorflow/*', 'webgpu', 'onnxruntime-node', 'electron'],
  });
  return outfile;
}

/** `count` workers on the CPU; a bundle in a temporary folder finds node_modules through NODE_PATH. */
export function cpuWorkers(count: number): WorkerDevice[] {
  return Array.from({ length: count }, (_, k) => ({
    label: `CPU worker ${k}`,
    env: { PROMETHIUM_BACKEND: 'wasm', NODE_PATH: path.resolve('node_modules') },
  }));
}
