/**
 * `npm run bench -- mseed`: the miniSEED reader on a generated day of one 100 Hz channel (8.64 M samples of
 * seismic-like noise) written as Steim-2 in 512- and 4096-byte miniSEED 2 records and in miniSEED 3, read whole
 * (record scan, Steim-2 decoding, segments) from memory, next to libmseed (Debian's libmseed-dev, 2.19) doing the same
 * in the same run where gcc and libmseed.h are installed. MB/s is file bytes per second of CPU time (this machine
 * is shared: wall time swings with the other users' load, CPU time much less; both are reported).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMseed } from '../../main/passive/mseed/reader';
import { buildRecordingCache, RecordingCache } from '../../main/passive/recordingCache';
import { readSpectrogram } from '../../main/passive/recordingSpectrogram';
import { spectrogram } from '../../main/passive/spectrogram';
import { readWaveform } from '../../main/passive/waveformWindow';
import { encodeMseed, type MseedWriteOptions } from '../../main/passive/mseed/writer';
import { gaussian, seededRandom } from '../../main/signal/random';
import { median, seededIndex } from './stats';

const DAY_AT_100_HZ = 8_640_000;
const RUNS = 7;

/** Microseism-like noise: an AR(1) process in counts, whose steps mostly fit Steim-2's 8- and 10-bit packings. */
export function noiseDay(length = DAY_AT_100_HZ, seed = 20): Int32Array {
  const normal = gaussian(seededRandom(seed));
  const samples = new Int32Array(length);
  let x = 0;
  for (let i = 0; i < length; i++) {
    x = 0.97 * x + 120 * normal();
    samples[i] = Math.round(x);
  }
  return samples;
}

interface ReadTiming {
  cpuMs: number;
  wallMs: number;
}

interface MseedBenchRow {
  label: string;
  fileMB: number;
  records: number;
  writeS: number;
  ours: ReadTiming;
  libmseed: ReadTiming | null;
}

function timeRead(bytes: Uint8Array): ReadTiming {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    const contents = readMseed(bytes);
    const elapsed = performance.now() - started;
    const used = process.cpuUsage(cpuStart);
    if (contents.problems.length > 0) throw new Error(`benchmark file has problems: ${contents.problems[0]!.message}`);
    if (run === 0) continue; // run 0 warms the JIT up
    cpu.push((used.user + used.system) / 1000);
    wall.push(elapsed);
  }
  return { cpuMs: median(cpu), wallMs: median(wall) };
}

const LIBMSEED_SOURCE = path.resolve('test/bench/mseed_libmseed.c');

/** Builds the libmseed peer, or says why it cannot. */
function buildLibmseedPeer(dir: string): string | null {
  if (!existsSync('/usr/include/libmseed.h')) {
    console.warn('[mseed] libmseed.h not found (apt-get install libmseed-dev): the libmseed peer is SKIPPED');
    return null;
  }
  const binary = path.join(dir, 'mseed_libmseed');
  execFileSync('gcc', ['-O2', '-o', binary, LIBMSEED_SOURCE, '-lmseed']);
  return binary;
}

function timeLibmseed(binary: string | null, file: string): ReadTiming | null {
  if (!binary) return null;
  return JSON.parse(execFileSync(binary, [file], { encoding: 'utf8' })) as ReadTiming;
}

/** The seed's spectrogram (Hann 256/192/256, dB) of the whole day: 135 k segments of 129 frequencies. */
function timeSpectrogram(samples: Int32Array): ReadTiming & { columns: number } {
  const cpu: number[] = [];
  const wall: number[] = [];
  let columns = 0;
  for (let run = 0; run <= 3; run++) {
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    columns = spectrogram(samples, { sampleRate: 100, decibels: true }).times.length;
    const elapsed = performance.now() - started;
    const used = process.cpuUsage(cpuStart);
    if (run === 0) continue;
    cpu.push((used.user + used.system) / 1000);
    wall.push(elapsed);
  }
  return { cpuMs: median(cpu), wallMs: median(wall), columns };
}

interface ViewTimings {
  /** The whole day read as one window (8.64 M samples). */
  dayWindow: ReadTiming;
  /** The day as the waveform view asks for it: 2000 min/max columns, raw and detrended + bandpassed 1-10 Hz. */
  waveform: ReadTiming;
  filteredWaveform: ReadTiming;
  /** The day's spectrogram as the view asks for it: 1500 columns of averaged STFT segments. */
  spectrogram: ReadTiming;
}

/** What the app's views cost on a day of the cache (CPU and wall ms, medians of 5 after a warm-up). */
async function timeDayViews(cache: RecordingCache): Promise<ViewTimings> {
  const channel = cache.index.channels[0]!;
  const startNs = channel.pieces[0]!.startNs;
  const endNs = startNs + 86_400n * 1_000_000_000n;
  const view = { sourceId: channel.sourceId, startNs, endNs, detrend: false, bandpass: null };
  const median5 = async (work: () => Promise<unknown>): Promise<ReadTiming> => {
    const cpu: number[] = [];
    const wall: number[] = [];
    for (let run = 0; run <= 5; run++) {
      const cpuStart = process.cpuUsage();
      const started = performance.now();
      await work();
      const used = process.cpuUsage(cpuStart);
      if (run === 0) continue;
      wall.push(performance.now() - started);
      cpu.push((used.user + used.system) / 1000);
    }
    return { cpuMs: median(cpu), wallMs: median(wall) };
  };
  return {
    dayWindow: await median5(() => cache.readWindow(channel.sourceId, startNs, endNs)),
    waveform: await median5(() => readWaveform(cache, { ...view, columns: 2000 })),
    filteredWaveform: await median5(() =>
      readWaveform(cache, { ...view, columns: 2000, detrend: true, bandpass: [1, 10] }),
    ),
    spectrogram: await median5(() => readSpectrogram(cache, { ...view, columns: 1500 })),
  };
}

/** A recording cache of the day file: its build time, and one-hour windows (360 k samples) at random times. */
async function timeCacheWindows(
  file: string,
  dir: string,
): Promise<{ buildS: number; windowMs: number; views: ViewTimings }> {
  const started = performance.now();
  await buildRecordingCache([file], path.join(dir, 'cache'));
  const buildS = (performance.now() - started) / 1000;
  const cache = await RecordingCache.open(path.join(dir, 'cache'));
  const [channel] = cache.index.channels;
  const hour = 3600n * 1_000_000_000n;
  const at = seededIndex(5);
  const times: number[] = [];
  for (let run = 0; run <= 20; run++) {
    const startNs = channel!.pieces[0]!.startNs + BigInt(at(23)) * hour;
    const readStarted = performance.now();
    const window = await cache.readWindow(channel!.sourceId, startNs, startNs + hour);
    if (window[0]?.samples.length !== 360_000) throw new Error('the benchmark window is not one hour of samples');
    if (run > 0) times.push(performance.now() - readStarted);
  }
  return { buildS, windowMs: median(times), views: await timeDayViews(cache) };
}

function timing(t: ReadTiming): string {
  return `${t.cpuMs.toFixed(0)} (${t.wallMs.toFixed(0)})`;
}

function mbPerSecond(bytes: number, ms: number): string {
  return (bytes / 1e6 / (ms / 1000)).toFixed(0);
}

export async function benchMseed(): Promise<string> {
  const samples = noiseDay();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'promethium-mseed-bench-'));
  try {
    const peer = buildLibmseedPeer(dir);
    const variants: Array<[string, MseedWriteOptions]> = [
      ['miniSEED 2, 512-byte records', { formatVersion: 2, encoding: 'steim2', recordLength: 512 }],
      ['miniSEED 2, 4096-byte records', { formatVersion: 2, encoding: 'steim2', recordLength: 4096 }],
      ['miniSEED 3, records up to 4096 bytes', { formatVersion: 3, encoding: 'steim2', recordLength: 4096 }],
    ];
    const rows: MseedBenchRow[] = variants.map(([label, options], k) => {
      const started = performance.now();
      const channel = { channel: 'XX.BENCH.00.HHZ', startNs: 10n ** 18n, sampleRate: 100, samples };
      const bytes = encodeMseed(channel, options);
      const writeS = (performance.now() - started) / 1000;
      const file = path.join(dir, `day-${k}.mseed`);
      writeFileSync(file, bytes);
      return {
        label,
        fileMB: bytes.length / 1e6,
        records: readMseed(bytes).records.length,
        writeS,
        ours: timeRead(bytes),
        // libmseed 2.19 reads no miniSEED 3.
        libmseed: options.formatVersion === 2 ? timeLibmseed(peer, file) : null,
      };
    });
    const day = timeSpectrogram(samples);
    const cached = await timeCacheWindows(path.join(dir, 'day-0.mseed'), dir);
    return (
      `${reportMseed(rows)}\n\nSpectrogram of the day (one channel, 8.64 M samples at 100 Hz; Hann, nperseg 256, noverlap 192,` +
      ` nfft 256, dB; ${day.columns} columns x 129 frequencies): ${day.cpuMs.toFixed(0)} ms of CPU` +
      ` (${day.wallMs.toFixed(0)} ms wall), median of 3 after a warm-up.\n\nRecording cache of the 512-byte-record day file` +
      ` (main/passive/recordingCache.ts): built in ${cached.buildS.toFixed(1)} s; a one-hour window (360 k samples) reads in` +
      ` ${cached.windowMs.toFixed(1)} ms (median of 20 at random hours, page cache warm). The whole day and the app's views of` +
      ` it, CPU ms (wall ms), medians of 5: the day read as one window (8.64 M samples) ${timing(cached.views.dayWindow)};` +
      ` the waveform view's 2000 min/max columns ${timing(cached.views.waveform)}, detrended and bandpassed 1-10 Hz` +
      ` first ${timing(cached.views.filteredWaveform)}; the spectrogram view's 1500 columns` +
      ` ${timing(cached.views.spectrogram)}.`
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function reportMseed(rows: readonly MseedBenchRow[]): string {
  const table = [
    '| Steim-2 day file (8.64 M samples, 100 Hz) | file MB | records | Promethium read, CPU ms (wall) | MB/s of CPU | libmseed 2.19, CPU ms (wall) | MB/s of CPU | libmseed / Promethium | write s |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const bytes = r.fileMB * 1e6;
      const peer = r.libmseed
        ? `${r.libmseed.cpuMs.toFixed(0)} (${r.libmseed.wallMs.toFixed(0)}) | ${mbPerSecond(bytes, r.libmseed.cpuMs)} | ${(r.libmseed.cpuMs / r.ours.cpuMs).toFixed(2)}`
        : '- | - | -';
      return (
        `| ${r.label} | ${r.fileMB.toFixed(1)} | ${r.records} | ${r.ours.cpuMs.toFixed(0)} (${r.ours.wallMs.toFixed(0)}) | ` +
        `${mbPerSecond(bytes, r.ours.cpuMs)} | ${peer} | ${r.writeS.toFixed(1)} |`
      );
    }),
  ];
  return (
    `${table.join('\n')}\n\nRead = record scan + Steim-2 decoding + joining records into continuous segments, from memory` +
    ` (libmseed: msr_parse with data + mst_addmsrtogroup, test/bench/mseed_libmseed.c, gcc -O2); medians of ${RUNS}` +
    ' runs after a warm-up. Ratios above 1: Promethium is faster. libmseed 2.19 reads no miniSEED 3.'
  );
}
