import { describe, expect, it } from 'vitest';
import { buildGeometry } from './geometry';
import type { GeometryInput } from './geometry';
import { STANDARD_HEADER_MAP } from './headerMap';

const AXIS = { domain: 'time', unit: 'ms', start: 0, interval: 4, count: 10 } as const;

function input(traceCount: number, fields: Record<number, (trace: number) => number>): GeometryInput {
  const map = new Map<number, Int32Array>();
  for (const [byte, valueOf] of Object.entries(fields))
    map.set(
      Number(byte),
      Int32Array.from({ length: traceCount }, (_, t) => valueOf(t)),
    );
  return { traceCount, fields: map, headerMap: STANDARD_HEADER_MAP, sampleAxis: AXIS };
}

describe('buildGeometry', () => {
  it('builds a rotated post-stack 3D grid with missing traces from an unsorted file', () => {
    // 6 inlines (step 2) x 5 crosslines, crossline-sorted, with 3 traces missing; grid rotated by 30 degrees, 25 m bins.
    const cells: [number, number][] = [];
    for (let xl = 0; xl < 5; xl++)
      for (let il = 0; il < 6; il++) if (!((il === 2 && xl === 3) || (il === 5 && xl < 2))) cells.push([il, xl]);
    const angle = Math.PI / 6;
    const x = (il: number, xl: number): number => 500000 + 25 * xl * Math.cos(angle) - 25 * il * Math.sin(angle);
    const y = (il: number, xl: number): number => 6000000 + 25 * xl * Math.sin(angle) + 25 * il * Math.cos(angle);
    const geometry = buildGeometry(
      input(cells.length, {
        189: (t) => 100 + 2 * cells[t]![0],
        193: (t) => 20 + cells[t]![1],
        181: (t) => Math.round(x(...cells[t]!) * 100),
        185: (t) => Math.round(y(...cells[t]!) * 100),
        71: () => -100,
      }),
    );
    const grid = geometry.grid!;
    expect(geometry.kind).toBe('post-stack-3d');
    expect(grid.inlines).toEqual({ first: 100, last: 110, step: 2, count: 6 });
    expect(grid.crosslines).toEqual({ first: 20, last: 24, step: 1, count: 5 });
    expect(grid.liveCells).toBe(27);
    expect(grid.traceIndex[2 * 5 + 3]).toBe(-1);
    expect(grid.liveMask[2 * 5 + 3]).toBe(0);
    expect(cells[grid.traceIndex[4 * 5 + 1]!]).toEqual([4, 1]);
    expect(grid.coordinates!.rotationDeg).toBeCloseTo(30, 2); // coordinates were rounded to centimetres
    expect(grid.coordinates!.crosslineSpacing).toBeCloseTo(25, 2);
    expect(grid.coordinates!.inlineSpacing).toBeCloseTo(25, 2);
    expect(grid.coordinates!.originX).toBeCloseTo(500000, 1);
  });

  it('indexes pre-stack 3D gathers by offset class', () => {
    const geometry = buildGeometry(
      input(24, {
        189: (t) => 1 + Math.floor(t / 6),
        193: (t) => 1 + (Math.floor(t / 2) % 3),
        37: (t) => 100 * (1 + (t % 2)),
      }),
    );
    expect(geometry.kind).toBe('pre-stack-3d');
    expect(Array.from(geometry.grid!.offsets)).toEqual([100, 200]);
    expect(geometry.grid!.traceIndex[(1 * 3 + 2) * 2 + 1]).toBe(11);
  });

  it('groups 2D shot gathers by field record, ordered by channel', () => {
    // 3 shots x 4 channels, channels written in reverse order.
    const geometry = buildGeometry(
      input(12, { 9: (t) => 7 + Math.floor(t / 4), 13: (t) => 4 - (t % 4), 37: (t) => -100 * (4 - (t % 4)) }),
    );
    const gathers = geometry.gathers!;
    expect(geometry.kind).toBe('pre-stack-2d');
    expect([gathers.gatherByte, gathers.channelByte, gathers.maxFold]).toEqual([9, 13, 4]);
    expect(Array.from(gathers.gatherKeys)).toEqual([7, 8, 9]);
    expect(Array.from(gathers.traceIndex.slice(0, 4))).toEqual([3, 2, 1, 0]);
    expect(Array.from(gathers.offsets.slice(0, 4))).toEqual([-100, -200, -300, -400]);
  });

  it('sees a post-stack 2D line numbered by CDP, and a lone trace', () => {
    const line = buildGeometry(input(5, { 21: (t) => 50 - t }));
    expect(line.kind).toBe('post-stack-2d');
    expect([line.line!.keyByte, Array.from(line.line!.keys), Array.from(line.line!.traceIndex)]).toEqual([
      21,
      [46, 47, 48, 49, 50],
      [4, 3, 2, 1, 0],
    ]);
    const single = buildGeometry(input(1, { 189: () => 3225906 }));
    expect([single.kind, single.line!.traceIndex.length]).toEqual(['post-stack-2d', 1]);
  });

  it('calls scattered keys that make no grid unstructured, keeping file order', () => {
    const inlines = [1, 700000, 1, 3, 700000, 3];
    const crosslines = [5000, 1, 1, 12, 12, 5000];
    const geometry = buildGeometry(input(6, { 189: (t) => inlines[t]!, 193: (t) => crosslines[t]!, 21: (t) => t % 2 }));
    expect(geometry.kind).toBe('unstructured');
    expect(Array.from(geometry.line!.traceIndex)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
