import { describe, expect, it } from 'vitest';
import type { TraceHeaderSample } from '../segy/scan';
import { HEADER_MAP_FIELDS, detectHeaderMap } from './headerMap';

/** A header sample where each listed byte position holds the given per-trace values and every other one zeros. */
function sampleOf(traceCount: number, values: Record<number, (trace: number) => number>): TraceHeaderSample {
  const fields = new Map<number, Int32Array>();
  for (const byte of HEADER_MAP_FIELDS)
    fields.set(
      byte,
      Int32Array.from({ length: traceCount }, (_, t) => values[byte]?.(t) ?? 0),
    );
  return { traceIndices: Int32Array.from({ length: traceCount }, (_, t) => t), headCount: traceCount, fields };
}

describe('detectHeaderMap', () => {
  it('finds inline/crossline at the standard 189/193 with full confidence', () => {
    const sample = sampleOf(60, { 189: (t) => 100 + Math.floor(t / 12), 193: (t) => 2000 + 4 * (t % 12) });
    const proposal = detectHeaderMap(sample, 60);
    expect(proposal.map).toMatchObject({ inline: 189, crossline: 193, offset: 37, cdpX: 181, cdpY: 185 });
    expect(proposal.confidence).toBeGreaterThan(0.95);
  });

  it('finds keys away from the standard positions (inline at 9, crossline at 21) and the source coordinates', () => {
    const sample = sampleOf(300, {
      9: (t) => 500 + 2 * Math.floor(t / 20),
      21: (t) => 10 + (t % 20),
      189: () => 3225906, // garbage where the inline should be
      73: (t) => 400000 + 25 * (t % 20),
      77: (t) => 6000000 + 25 * Math.floor(t / 20),
    });
    const proposal = detectHeaderMap(sample, 300);
    expect(proposal.map).toMatchObject({ inline: 9, crossline: 21, cdpX: 73, cdpY: 77 });
    expect(proposal.confidence).toBeGreaterThan(0.5);
    expect(proposal.alternatives[0]).toMatchObject({ inline: 9, crossline: 21, relationToBest: 'same' });
  });

  it('sees copies and renumberings of the best pair as the same reading, not as rivals', () => {
    const sample = sampleOf(40, {
      189: (t) => 1 + Math.floor(t / 8),
      193: (t) => 1 + (t % 8),
      9: (t) => 1001 + Math.floor(t / 8),
      21: (t) => 1 + (t % 8),
    });
    const proposal = detectHeaderMap(sample, 40);
    expect(proposal.map).toMatchObject({ inline: 189, crossline: 193 });
    expect(proposal.alternatives.find((pair) => pair.inline === 9 && pair.crossline === 21)?.relationToBest).toBe(
      'same',
    );
    expect(proposal.confidence).toBeGreaterThan(0.95);
  });

  it('falls back to the standard positions with zero confidence when nothing makes a grid', () => {
    const proposal = detectHeaderMap(sampleOf(30, { 5: (t) => t * 7919 }), 30);
    expect(proposal.map).toMatchObject({ inline: 189, crossline: 193 });
    expect(proposal.confidence).toBe(0);
  });

  it('accepts user overrides and reports them', () => {
    const sample = sampleOf(60, { 189: (t) => Math.floor(t / 12), 193: (t) => t % 12 });
    const proposal = detectHeaderMap(sample, 60, { inline: 17, offset: 13 });
    expect(proposal.map).toMatchObject({ inline: 17, crossline: 193, offset: 13 });
    expect(proposal.overridden).toEqual(['inline', 'offset']);
  });
});
