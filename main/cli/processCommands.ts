/** `promethium denoise` and `promethium interpolate` on SEG-Y files (classical methods; models join them). */
import path from 'node:path';
import { applyToSegy, type ApplySummary, type PanelProcessor } from '../processing/applyToSegy';
import { denoiseMethods, interpolationMethods } from '../processing';
import { ProgressBar } from './progressBar';
import { UsageError } from './usageError';

export interface ProcessCliOptions {
  method: string;
  lines?: string;
  format?: string;
  json?: boolean;
}

function parseLines(spec: string | undefined): [number, number] | undefined {
  if (spec === undefined) return undefined;
  const match = /^(-?\d+)(?:-(-?\d+))?$/.exec(spec);
  if (!match) throw new UsageError(`--lines takes A-B (inline numbers), not "${spec}"`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (last < first) throw new UsageError(`--lines ${spec}: the last line is before the first`);
  return [first, last];
}

function parseFormat(format: string | undefined): 'source' | 'ieee' {
  if (format === undefined || format === 'source' || format === 'ieee') return format ?? 'source';
  throw new UsageError(`--format is 'source' or 'ieee', not '${format}'`);
}

function processorFor(task: 'denoise' | 'interpolate', method: string): PanelProcessor {
  if (task === 'denoise') {
    const denoise = denoiseMethods[method as keyof typeof denoiseMethods];
    if (!denoise) throw new UsageError(`unknown denoising method '${method}' (fx, median, fk)`);
    // Only f-x deconvolution works in Hz; the other methods work in samples and traces.
    return (section, shape, _live, { sampleIntervalS }) =>
      method === 'fx' ? denoiseMethods.fx(section, shape, { dt: sampleIntervalS }) : denoise(section, shape);
  }
  const interpolate = interpolationMethods[method as keyof typeof interpolationMethods];
  if (!interpolate) throw new UsageError(`unknown interpolation method '${method}' (pocs, linear)`);
  return (section, shape, live, { sampleIntervalS }) =>
    method === 'pocs'
      ? interpolationMethods.pocs(section, shape, live, { dt: sampleIntervalS })
      : interpolate(section, shape, live);
}

export async function runProcessing(
  task: 'denoise' | 'interpolate',
  input: string,
  output: string,
  options: ProcessCliOptions,
): Promise<void> {
  if (path.resolve(input) === path.resolve(output))
    throw new UsageError('OUT must differ from IN: the input is never overwritten');
  const bar = new ProgressBar(task === 'denoise' ? 'denoising' : 'interpolating');
  const summary: ApplySummary = await applyToSegy(input, output, {
    task,
    process: processorFor(task, options.method),
    lines: parseLines(options.lines),
    format: parseFormat(options.format),
    history: `Promethium ${new Date().toISOString().slice(0, 10)}: ${task} (${options.method})`,
    onProgress: (fraction, message) => bar.update(fraction, message),
  });
  bar.done();
  if (options.json) {
    console.log(JSON.stringify({ input, output, task, method: options.method, ...summary }, null, 2));
    return;
  }
  const filled =
    task === 'interpolate'
      ? `, ${summary.deadTracesFilled} dead traces filled, ${summary.addedTraces} traces added`
      : '';
  console.log(
    `${output}: ${summary.processedPanels} of ${summary.panels} panels processed${filled} in ${summary.seconds.toFixed(1)} s`,
  );
}
