/** `promethium mseed info` and `promethium mseed dump`: miniSEED recordings on the command line. */
import { type Command } from 'commander';
import {
  channelName,
  formatNs,
  formatProblem,
  parseChannel,
  readMseedFile,
  summarizeMseed,
  type MseedFileSummary,
  type MseedSegment,
} from '../passive/mseed';
import { writeFileAtomically } from '../files/atomicFile';
import { filesUnder } from '../passive/recordingFiles';
import { EXIT } from './exitCodes';
import { encodeNpy, type NpyArray } from '../files/npy';
import { UsageError } from './usageError';

/** A file (or every file of a folder) that holds no miniSEED record: exit code 3, like any unreadable input. */
export class NotMseedError extends Error {
  readonly exitCode = EXIT.badInput;
}

/** Registers `mseed info` and `mseed dump`; returns the `mseed` command for the subcommands of other files. */
export function registerMseedCommands(program: Command): Command {
  const mseed = program.command('mseed').description('miniSEED recordings (passive seismic): inspect and export');
  mseed
    .command('info')
    .description(
      'what miniSEED files hold: channels, time spans (UTC, ns), rates, gaps and overlaps, encodings, damage',
    )
    .argument('<path>', 'a miniSEED file, or a folder (all files in it and below)')
    .option('--json', 'print JSON')
    .action(async (target: string, options: { json?: boolean }) => printMseedInfo(target, Boolean(options.json)));
  mseed
    .command('dump')
    .description("one channel's samples as a 1-D .npy array (int32, float32 or float64, as recorded)")
    .argument('<file>', 'miniSEED file')
    .requiredOption('--channel <NET.STA.LOC.CHA>', 'channel (or its FDSN source id)')
    .requiredOption('--npy <out>', 'output .npy file')
    .option('--segment <n>', 'which continuous segment, from 1, where the channel has gaps')
    .action(async (file: string, options: DumpOptions) => dumpChannel(file, options));
  return mseed;
}

export async function printMseedInfo(target: string, json: boolean): Promise<void> {
  const summaries: MseedFileSummary[] = [];
  const notMseed: string[] = [];
  for (const file of await filesUnder(target)) {
    const summary = summarizeMseed(file, await readMseedFile(file));
    if (summary.records > 0) summaries.push(summary);
    else notMseed.push(file);
  }
  if (summaries.length === 0) {
    throw new NotMseedError(
      `${target}: no miniSEED record found${notMseed.length > 1 ? ` in ${notMseed.length} files` : ''}`,
    );
  }
  if (json) {
    console.log(JSON.stringify({ files: summaries, notMseed }, null, 2));
    return;
  }
  const skipped = notMseed.length > 0 ? [`not miniSEED (skipped): ${notMseed.join(', ')}`] : [];
  console.log([...summaries.map(describeFile), ...skipped].join('\n\n'));
}

function describeFile(summary: MseedFileSummary): string {
  const stations = [...new Set(summary.channels.map((c) => `${c.network}.${c.station}`))];
  const lines = [
    `file:      ${summary.file} (${(summary.bytes / 1e6).toFixed(2)} MB), ${summary.records} records, ` +
      `miniSEED ${summary.formatVersions.join(' and ')}, ${summary.byteOrders.join(' and ')}-endian headers`,
    `stations:  ${stations.join(', ')}`,
  ];
  for (const c of summary.channels) {
    const segments = c.segments === 1 ? '1 segment' : `${c.segments} segments`;
    lines.push(
      `channel:   ${c.name}  ${c.sampleRates.join('/')} Hz  ${c.encodings.join('+')}  ${c.samples} samples, ${segments}`,
      `           ${c.start.utc} to ${c.end.utc}`,
    );
    for (const gap of c.gaps) {
      lines.push(`           ${gap.kind} of ${Math.abs(gap.seconds)} s after ${gap.after.utc}`);
    }
  }
  for (const problem of summary.problems) lines.push(`${problem.severity.padEnd(10)} ${formatProblem(problem)}`);
  return lines.join('\n');
}

interface DumpOptions {
  channel: string;
  npy: string;
  segment?: string;
}

export async function dumpChannel(file: string, options: DumpOptions): Promise<void> {
  let sourceId: string;
  try {
    sourceId = parseChannel(options.channel);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const contents = await readMseedFile(file);
  if (contents.records.length === 0) throw new NotMseedError(`${file}: no miniSEED record found`);
  const channel = contents.channels.find((c) => c.sourceId === sourceId);
  if (!channel || channel.segments.length === 0) {
    const present = contents.channels.map((c) => c.name).join(', ');
    throw new UsageError(`${file} has no channel ${channelName(sourceId)}; it has ${present || 'no samples'}`);
  }
  const segment = chooseSegment(channel.segments, options.segment);
  if (segment.sampleType === 'text') throw new UsageError(`${channel.name} holds text (a log), not samples`);
  const samples = segment.samples as NpyArray;
  await writeFileAtomically(options.npy, encodeNpy(samples, [samples.length]));
  console.log(
    `wrote ${samples.length} ${segment.sampleType} samples of ${channel.name} at ${segment.sampleRate} Hz, ` +
      `${formatNs(segment.startNs)} to ${formatNs(segment.endNs)}, to ${options.npy}`,
  );
}

function chooseSegment(segments: readonly MseedSegment[], choice: string | undefined): MseedSegment {
  if (choice === undefined) {
    if (segments.length === 1) return segments[0]!;
    const list = segments.map((s, k) => `${k + 1}: ${formatNs(s.startNs)} (${s.samples.length} samples)`);
    throw new UsageError(
      `the channel has ${segments.length} segments (gaps between them); pick one with --segment N:\n${list.join('\n')}`,
    );
  }
  const k = Number(choice);
  if (!Number.isInteger(k) || k < 1 || k > segments.length) {
    throw new UsageError(`--segment is 1 to ${segments.length}, not '${choice}'`);
  }
  return segments[k - 1]!;
}
