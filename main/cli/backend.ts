import { chooseBackend } from '../ml/backends';
import { withInferenceThreads } from '../ml/parallelInference';

/** `promethium backend`: the same probe the compute process runs, printed for the user. */
export async function printBackend(json: boolean): Promise<void> {
  // With where inference runs (ONNX Runtime or the wasm threads), as the status bar shows it.
  const report = withInferenceThreads(await chooseBackend());
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`backend: ${report.backend}${report.forced ? ' (forced by PROMETHIUM_BACKEND)' : ''}`);
  console.log(`device:  ${report.device}`);
  for (const fallback of report.fallbacks) console.log(`skipped ${fallback.backend}: ${fallback.reason}`);
  if (report.adapters.length === 0) console.log('GPUs:    none that Dawn can use');
  for (const adapter of report.adapters) {
    const used = report.gpus.includes(adapter.index) ? ' (in use)' : '';
    console.log(`GPU ${adapter.index}:   ${adapter.name} (${adapter.backend})${used}`);
  }
}
