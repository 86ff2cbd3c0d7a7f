/**
 * segyio (Debian's python3-segyio, run with /usr/bin/python3) as an independent oracle: dumps a file's samples as
 * raw little-endian float32 and its key header fields as JSON, for the integration tests to compare bit for bit.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SEGYIO_PYTHON } from '../testdata';
import { toolAvailable } from '../testTools';

const DUMP_SCRIPT = `
import json, sys
import numpy as np
import segyio
path, endian, out = sys.argv[1], sys.argv[2], sys.argv[3]
with segyio.open(path, ignore_geometry=True, endian=endian) as f:
    f.trace.raw[:].astype('<f4').tofile(out + '/samples.f32')
    F = segyio.TraceField
    keys = {'inline': F.INLINE_3D, 'crossline': F.CROSSLINE_3D, 'offset': F.offset, 'cdpX': F.CDP_X, 'cdpY': F.CDP_Y,
            'fieldRecord': F.FieldRecord, 'traceNumber': F.TraceNumber, 'delay': F.DelayRecordingTime}
    headers = {name: [int(h[key]) for h in f.header] for name, key in keys.items()}
    json.dump({'traceCount': f.tracecount, 'samples': len(f.samples), 'format': int(f.format),
               'interval': int(f.bin[segyio.BinField.Interval]), 'headers': headers,
               'extendedTextHeaders': len(f.text) - 1}, open(out + '/headers.json', 'w'))
`;

export interface SegyioDump {
  readonly traceCount: number;
  readonly samples: number;
  readonly format: number;
  readonly interval: number;
  readonly extendedTextHeaders: number;
  readonly headers: Readonly<
    Record<'inline' | 'crossline' | 'offset' | 'cdpX' | 'cdpY' | 'fieldRecord' | 'traceNumber' | 'delay', number[]>
  >;
  /** All samples, trace after trace, as segyio's float32 bit patterns. */
  readonly sampleBits: Uint32Array;
}

export function segyioAvailable(): boolean {
  let imported = true;
  try {
    execFileSync(SEGYIO_PYTHON, ['-c', 'import segyio, numpy'], { stdio: 'ignore' });
  } catch {
    imported = false;
  }
  return toolAvailable(imported, `${SEGYIO_PYTHON} cannot import segyio (Debian's python3-segyio)`);
}

export function dumpWithSegyio(file: string, endian: 'big' | 'little'): SegyioDump {
  const dir = mkdtempSync(path.join(tmpdir(), 'segyio-dump-'));
  try {
    const script = path.join(dir, 'dump.py');
    writeFileSync(script, DUMP_SCRIPT);
    execFileSync(SEGYIO_PYTHON, [script, file, endian, dir], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    const json = JSON.parse(readFileSync(path.join(dir, 'headers.json'), 'utf8')) as Omit<SegyioDump, 'sampleBits'>;
    const raw = readFileSync(path.join(dir, 'samples.f32'));
    const sampleBits = new Uint32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    return { ...json, sampleBits };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Samples as segyio reads them, trace by trace. */
export function tracesOf(file: string): Float32Array[] {
  const dump = dumpWithSegyio(file, 'big');
  const values = new Float32Array(dump.sampleBits.buffer);
  return Array.from({ length: dump.traceCount }, (_, t) => values.subarray(t * dump.samples, (t + 1) * dump.samples));
}

/** The largest |sample| of `output` above each input trace's first non-zero sample (its top mute). */
export function largestInMute(input: Float32Array[], output: Float32Array[]): number {
  let largest = 0;
  input.forEach((trace, t) => {
    const firstLive = trace.findIndex((v) => v !== 0);
    const mute = output[t]!.subarray(0, firstLive < 0 ? trace.length : firstLive);
    for (const v of mute) largest = Math.max(largest, Math.abs(v));
  });
  return largest;
}
