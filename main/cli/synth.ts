/**
 * `promethium synth --out FILE --kind cube|line|gathers [--seed N] ...`: writes a seeded synthetic survey as SEG-Y
 * (and its clean version with --clean) for training data, tests and demonstrations; `--kind velocity` writes a
 * velocity-building dataset in OpenFWI's layout instead (velocitySynth.ts). The option table below is what main.ts
 * registers with commander; runSynth does the SEG-Y work and returns a summary, runSynthCommand picks the kind.
 */
import { InvalidArgumentError } from 'commander';
import { parseMissingSpec, parseNoiseSpec, parseWaveletSpec, SynthSpecError } from '../synth/specs';
import { writeSyntheticSegy } from '../synth/syntheticSegy';
import type { MissingTraceHandling, SyntheticKind, SyntheticSurveySummary } from '../synth/syntheticSegy';
import { VELOCITY_FAMILIES } from '../synth/velocityModels';
import { UsageError } from './usageError';
import { velocityDatasetText, writeDatasetShotGathers, writeVelocityDataset } from './velocitySynth';

/** The options as commander hands them over (numbers already parsed by the table's parse functions). */
export interface SynthCliOptions {
  out: string;
  kind?: string;
  seed?: number;
  inlines?: number;
  crosslines?: number;
  samples?: number;
  sampleIntervalMs?: number;
  wavelet?: string;
  phase?: number;
  /** Constant-Q factor; 0 = no attenuation. */
  q?: number;
  offsets?: number;
  offsetStep?: number;
  faults?: number;
  noise?: string;
  missing?: string;
  missingAs?: string;
  clean?: string;
  format?: number;
  family?: string;
  count?: number;
  shotSegy?: boolean;
}

export interface SynthOptionDefinition {
  readonly flags: string;
  readonly description: string;
  readonly required?: boolean;
  readonly parse?: (value: string) => number;
  readonly defaultValue?: string | number;
}

function numberArgument(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new InvalidArgumentError(`'${value}' is not a number`);
  return parsed;
}

function wholeArgument(value: string): number {
  const parsed = numberArgument(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError(`'${value}' is not a whole number >= 0`);
  return parsed;
}

export const SYNTH_DESCRIPTION =
  'write a seeded synthetic survey (post-stack cube, 2D line or CMP gathers) as SEG-Y, with optional noise and missing traces, or a velocity-building dataset (shot gathers and velocity maps, OpenFWI layout)';

export const SYNTH_OPTIONS: readonly SynthOptionDefinition[] = [
  {
    flags: '-o, --out <file>',
    description: 'SEG-Y file to write (velocity: folder for the .npy files)',
    required: true,
  },
  { flags: '--kind <kind>', description: 'cube, line, gathers or velocity', defaultValue: 'cube' },
  {
    flags: '--family <name>',
    description: `velocity: model family, ${VELOCITY_FAMILIES.join(', ')}`,
    defaultValue: 'flat',
  },
  { flags: '--count <n>', description: 'velocity: number of samples', parse: wholeArgument, defaultValue: 1 },
  {
    flags: '--shot-segy',
    description: "velocity: also write each sample's five shots as a pre-stack SEG-Y (shots<i>.sgy) with coordinates",
  },
  {
    flags: '--seed <n>',
    description: 'random seed: the same seed gives the same file',
    parse: wholeArgument,
    defaultValue: 1,
  },
  { flags: '--inlines <n>', description: 'inlines (cube) or inlines of CMP locations (gathers)', parse: wholeArgument },
  {
    flags: '--crosslines <n>',
    description: 'crosslines (cube), traces (line) or CMPs per inline (gathers)',
    parse: wholeArgument,
  },
  { flags: '--samples <n>', description: 'samples per trace', parse: wholeArgument },
  { flags: '--sample-interval-ms <ms>', description: 'sample interval in ms', parse: numberArgument, defaultValue: 4 },
  { flags: '--wavelet <spec>', description: 'ricker:PEAK_HZ or ormsby:F1-F2-F3-F4', defaultValue: 'ricker:25' },
  {
    flags: '--phase <degrees>',
    description: 'constant phase rotation of the wavelet',
    parse: numberArgument,
    defaultValue: 0,
  },
  {
    flags: '--q <factor>',
    description: 'constant-Q attenuation (frequency loss with depth); 0 = none',
    parse: numberArgument,
    defaultValue: 150,
  },
  { flags: '--offsets <n>', description: 'gathers: traces per gather', parse: wholeArgument, defaultValue: 60 },
  {
    flags: '--offset-step <m>',
    description: 'gathers: offset spacing in m (first offset = one step)',
    parse: numberArgument,
    defaultValue: 50,
  },
  { flags: '--faults <n>', description: 'number of normal faults in the model', parse: wholeArgument, defaultValue: 2 },
  {
    flags: '--noise <spec>',
    description:
      "none, or '+'-joined models: gaussian[:SNR_DB], bandlimited[:SNR_DB[:LOW-HIGH]], swell[:SNR_DB], spikes[:SNR_DB], groundroll[:SNR_DB] (gathers), footprint[:STRENGTH] (cubes, lines)",
    defaultValue: 'none',
  },
  {
    flags: '--missing <spec>',
    description:
      'none, random:FRACTION, regular:K (keep every K-th trace) or gaps:WIDTH[xCOUNT], per inline/line/gather',
    defaultValue: 'none',
  },
  {
    flags: '--missing-as <how>',
    description: 'dead (zero traces, trace ID code 2) or omit (left out of the file)',
    defaultValue: 'dead',
  },
  { flags: '--clean <file>', description: 'also write the clean version (no noise, every trace) for QC' },
  {
    flags: '--format <code>',
    description: 'sample format: 5 (IEEE float) or 1 (IBM float)',
    parse: wholeArgument,
    defaultValue: 5,
  },
];

const DEFAULT_SIZES: Record<SyntheticKind, { inlines: number; crosslines: number; samples: number }> = {
  cube: { inlines: 100, crosslines: 100, samples: 500 },
  line: { inlines: 1, crosslines: 400, samples: 1000 },
  gathers: { inlines: 1, crosslines: 10, samples: 1000 },
};

function kindOf(text: string): SyntheticKind {
  if (text === 'cube' || text === 'line' || text === 'gathers') return text;
  throw new SynthSpecError(`kind '${text}': expected cube, line, gathers or velocity`);
}

function missingHandling(text: string): MissingTraceHandling {
  if (text === 'dead' || text === 'omit') return text;
  throw new SynthSpecError(`missing-as '${text}': expected dead or omit`);
}

function formatCode(code: number): 1 | 5 {
  if (code === 1 || code === 5) return code;
  throw new SynthSpecError(`format ${code}: synthetic files are written as 5 (IEEE float) or 1 (IBM float)`);
}

function offsets(count: number, stepM: number): number[] {
  if (!(count >= 1 && stepM > 0)) throw new SynthSpecError('gathers need --offsets >= 1 and --offset-step > 0');
  return Array.from({ length: count }, (_, k) => (k + 1) * stepM);
}

/** Writes the synthetic survey; bad options throw a UsageError (exit code 2) with a readable message. */
export async function runSynth(options: SynthCliOptions): Promise<SyntheticSurveySummary> {
  try {
    const kind = kindOf(options.kind ?? 'cube');
    const sizes = DEFAULT_SIZES[kind];
    const q = options.q ?? 150;
    return await writeSyntheticSegy(
      options.out,
      {
        kind,
        seed: options.seed ?? 1,
        inlines: options.inlines ?? sizes.inlines,
        crosslines: options.crosslines ?? sizes.crosslines,
        samples: options.samples ?? sizes.samples,
        sampleIntervalMs: options.sampleIntervalMs ?? 4,
        wavelet: parseWaveletSpec(options.wavelet ?? 'ricker:25', options.phase ?? 0),
        ...(q > 0 ? { q } : {}),
        ...(kind === 'gathers' ? { offsetsM: offsets(options.offsets ?? 60, options.offsetStep ?? 50) } : {}),
        noise: parseNoiseSpec(options.noise ?? 'none'),
        missing: parseMissingSpec(options.missing ?? 'none'),
        missingAs: missingHandling(options.missingAs ?? 'dead'),
        format: formatCode(options.format ?? 5),
        model: { faults: options.faults ?? 2 },
      },
      options.clean,
    );
  } catch (error) {
    if (error instanceof SynthSpecError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/** Runs `promethium synth` for any kind and returns what to print. */
export async function runSynthCommand(options: SynthCliOptions): Promise<string> {
  if (options.kind === 'velocity') {
    const summary = writeVelocityDataset(options);
    return velocityDatasetText(options.shotSegy ? await writeDatasetShotGathers(summary) : summary);
  }
  return synthSummaryText(await runSynth(options));
}

export function synthSummaryText(summary: SyntheticSurveySummary): string {
  const lines = [
    `wrote ${summary.path}: ${summary.traceCount} traces x ${summary.samplesPerTrace} samples at ${summary.sampleIntervalMs} ms`,
  ];
  if (summary.deadTraces > 0) lines.push(`  ${summary.deadTraces} dead traces (zeros, trace ID code 2)`);
  if (summary.omittedTraces > 0) lines.push(`  ${summary.omittedTraces} missing traces left out of the file`);
  if (summary.cleanPath) lines.push(`clean version: ${summary.cleanPath}`);
  lines.push(`in ${summary.seconds.toFixed(1)} s`);
  return lines.join('\n');
}
