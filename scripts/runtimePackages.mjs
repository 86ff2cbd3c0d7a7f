// Packages the Node bundles leave external and load from node_modules at run time (scripts/build.mjs, the benchmark
// bundle of scripts/bench.mjs). One copy of tfjs-core must be shared by every backend, so all of @tensorflow/* loads
// from node_modules; native packages (better-sqlite3, webgpu, onnxruntime-node: optional, its binding from its own
// folder) cannot be bundled.
export const RUNTIME_PACKAGES = [
  'electron',
  'better-sqlite3',
  '@tensorflow/*',
  'webgpu',
  'onnxruntime-node',
  'bufferutil',
  'utf-8-validate',
];
