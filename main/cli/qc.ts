/**
 * `promethium qc CLEAN PROCESSED [--json]`: SNR, SSIM, MSE and coherence of a processed SEG-Y against a reference one
 * of the same shape, streamed in blocks of traces so that any file size fits in memory.
 */
import { meanSquaredError, structuralSimilarity, traceCoherence } from '../signal/metrics';
import { openSegy, type SegyFile } from '../segy';
import { UsageError } from './usageError';

/** Traces per block: SSIM's 11-trace window sees a block border on at most 10 of every 2000 traces. */
const BLOCK_TRACES = 2000;

export interface QcReport {
  snrDb: number;
  ssim: number;
  mse: number;
  coherence: number;
  traces: number;
  samples: number;
}

function checkSameShape(clean: SegyFile, processed: SegyFile): void {
  if (clean.traceCount !== processed.traceCount || clean.samplesPerTrace !== processed.samplesPerTrace) {
    throw new UsageError(
      `the files differ in shape: ${clean.name} has ${clean.traceCount} traces x ${clean.samplesPerTrace} samples, ` +
        `${processed.name} has ${processed.traceCount} x ${processed.samplesPerTrace}`,
    );
  }
}

/** Scores `processed` against `clean`; block results are combined weighted by their trace counts. */
export async function qualityOfFiles(cleanPath: string, processedPath: string): Promise<QcReport> {
  const clean = await openSegy(cleanPath);
  const processed = await openSegy(processedPath).catch(async (error: unknown) => {
    await clean.close();
    throw error;
  });
  try {
    checkSameShape(clean, processed);
    const samples = clean.samplesPerTrace;
    let signal = 0;
    let error = 0;
    let ssim = 0;
    let coherence = 0;
    for (let start = 0; start < clean.traceCount; start += BLOCK_TRACES) {
      const count = Math.min(BLOCK_TRACES, clean.traceCount - start);
      const a = await clean.readTraces(start, count);
      const b = await processed.readTraces(start, count);
      const shape = { traces: count, samples };
      const mse = meanSquaredError(a, b);
      error += mse * a.length;
      signal += a.reduce((sum, v) => sum + v * v, 0);
      ssim += structuralSimilarity(a, b, shape) * count;
      coherence += traceCoherence(a, b, shape) * count;
    }
    const n = clean.traceCount * samples;
    const snrDb = error === 0 ? Infinity : signal === 0 ? -Infinity : 10 * Math.log10(signal / error);
    return {
      snrDb,
      ssim: ssim / clean.traceCount,
      mse: error / n,
      coherence: coherence / clean.traceCount,
      traces: clean.traceCount,
      samples,
    };
  } finally {
    await clean.close();
    await processed.close();
  }
}

export async function printQuality(cleanPath: string, processedPath: string, json: boolean): Promise<void> {
  const report = await qualityOfFiles(cleanPath, processedPath);
  if (json) {
    console.log(JSON.stringify(report, (_key, value: unknown) => (value === Infinity ? 'Infinity' : value), 2));
    return;
  }
  console.log(`traces x samples: ${report.traces} x ${report.samples}`);
  console.log(`SNR:       ${report.snrDb.toFixed(2)} dB`);
  console.log(`SSIM:      ${report.ssim.toFixed(4)}`);
  console.log(`MSE:       ${report.mse.toPrecision(5)}`);
  console.log(`coherence: ${report.coherence.toFixed(4)}`);
}
