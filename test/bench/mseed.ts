/**
 * `npm run bench -- mseed`: the miniSEED reader on a generated day of one 100 Hz channel (8.64 M samples of
 * seismic-like noise) written as Steim-2 in 512- and 4096-byte miniSEED 2 records and in miniSEED 3, read whole
 * (record scan, Steim-2 decoding, segments) from memory. MB/s is file bytes per second; medians of several runs.
 */
import { readMseed } from '../../main/passive/mseed/reader';
import { encodeMseed, type MseedWriteOptions } from '../../main/passive/mseed/writer';
import { gaussian, seededRandom } from '../../main/synth/random';
import { median } from './stats';

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

interface MseedBenchRow {
  label: string;
  fileMB: number;
  records: number;
  writeS: number;
  readMs: number;
  mbPerSecond: number;
}

function timeRead(bytes: Uint8Array): number {
  const times: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now();
    const contents = readMseed(bytes);
    const elapsed = performance.now() - started;
    if (contents.problems.length > 0) throw new Error(`benchmark file has problems: ${contents.problems[0]!.message}`);
    if (run > 0) times.push(elapsed); // run 0 warms the JIT up
  }
  return median(times);
}

export function benchMseed(): string {
  const samples = noiseDay();
  const variants: Array<[string, MseedWriteOptions]> = [
    ['miniSEED 2, 512-byte records', { formatVersion: 2, encoding: 'steim2', recordLength: 512 }],
    ['miniSEED 2, 4096-byte records', { formatVersion: 2, encoding: 'steim2', recordLength: 4096 }],
    ['miniSEED 3, records up to 4096 bytes', { formatVersion: 3, encoding: 'steim2', recordLength: 4096 }],
  ];
  const rows: MseedBenchRow[] = variants.map(([label, options]) => {
    const started = performance.now();
    const bytes = encodeMseed({ channel: 'XX.BENCH.00.HHZ', startNs: 10n ** 18n, sampleRate: 100, samples }, options);
    const writeS = (performance.now() - started) / 1000;
    const readMs = timeRead(bytes);
    return {
      label,
      fileMB: bytes.length / 1e6,
      records: readMseed(bytes).records.length,
      writeS,
      readMs,
      mbPerSecond: bytes.length / 1e6 / (readMs / 1000),
    };
  });
  const table = [
    '| Steim-2 day file (8.64 M samples, 100 Hz) | file MB | records | write s | read ms | read MB/s | samples/s |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.fileMB.toFixed(1)} | ${r.records} | ${r.writeS.toFixed(2)} | ${r.readMs.toFixed(0)} | ` +
        `${r.mbPerSecond.toFixed(0)} | ${(DAY_AT_100_HZ / (r.readMs / 1000) / 1e6).toFixed(0)} M |`,
    ),
  ];
  return `${table.join('\n')}\n\nRead = record scan + Steim-2 decoding + joining into segments, from memory; medians of ${RUNS} runs after a warm-up.`;
}
