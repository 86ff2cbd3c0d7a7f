/**
 * segyio (the independent reader) comparing an exported volume with the survey's source file: text header cards,
 * binary header, every trace header as segyio's field dicts (matched by inline/crossline), and the exported samples.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SEGYIO_PYTHON } from '../testdata';

const COMPARE_SCRIPT = `
import json, sys
import numpy as np
import segyio
source, exported, out = sys.argv[1], sys.argv[2], sys.argv[3]
F = segyio.TraceField
def load(p):
    with segyio.open(p, ignore_geometry=True) as f:
        headers = [{int(k): int(v) for k, v in h.items()} for h in f.header]
        return (bytes(f.text[0]), {int(k): int(v) for k, v in f.bin.items()}, headers,
                f.trace.raw[:].astype('<f4'), f.tracecount)
s_text, s_bin, s_headers, _, s_count = load(source)
e_text, e_bin, e_headers, e_samples, e_count = load(exported)
cards = [i for i in range(40) if s_text[i*80:(i+1)*80] != e_text[i*80:(i+1)*80]]
key = lambda h: (h[int(F.INLINE_3D)], h[int(F.CROSSLINE_3D)])
by_key = {key(h): h for h in e_headers}
ident = int(F.TraceIdentificationCode)
changed_other, changed_ident, unmatched = 0, 0, 0
for h in s_headers:
    e = by_key.get(key(h))
    if e is None:
        unmatched += 1
        continue
    if any(e[k] != v for k, v in h.items() if k != ident): changed_other += 1
    if e[ident] != h[ident]: changed_ident += 1
e_samples.tofile(out + '/samples.f32')
try:
    with segyio.open(exported) as f:
        cube = [len(f.ilines), len(f.xlines)]
except (RuntimeError, ValueError):
    cube = None  # not a complete cube
json.dump({'sourceTraces': s_count, 'exportedTraces': e_count, 'differentCards': cards,
           'historyCards': [e_text[i*80:(i+1)*80].decode('ascii', 'replace') for i in cards],
           'binaryHeaderEqual': s_bin == e_bin, 'headersChangedOtherThanTraceId': changed_other,
           'traceIdChanged': changed_ident, 'sourceTracesMissing': unmatched,
           'keys': [list(key(h)) for h in e_headers], 'cube': cube}, open(out + '/result.json', 'w'))
`;

export interface ExportComparison {
  sourceTraces: number;
  exportedTraces: number;
  differentCards: number[];
  historyCards: string[];
  binaryHeaderEqual: boolean;
  headersChangedOtherThanTraceId: number;
  traceIdChanged: number;
  sourceTracesMissing: number;
  /** Inline and crossline numbers of every exported trace, in file order. */
  keys: [number, number][];
  /** segyio's inline and crossline counts when it opens the export as a cube (null when it is not a full cube). */
  cube: [number, number] | null;
  samples: Float32Array;
}

export function compareExportWithSegyio(source: string, exported: string): ExportComparison {
  const dir = mkdtempSync(path.join(tmpdir(), 'segyio-export-'));
  try {
    const script = path.join(dir, 'compare.py');
    writeFileSync(script, COMPARE_SCRIPT);
    execFileSync(SEGYIO_PYTHON, [script, source, exported, dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 120_000,
    });
    const result = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as Omit<ExportComparison, 'samples'>;
    const raw = readFileSync(path.join(dir, 'samples.f32'));
    return { ...result, samples: new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
