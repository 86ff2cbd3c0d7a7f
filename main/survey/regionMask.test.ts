import { describe, expect, it } from 'vitest';
import { insidePolygon, regionMask } from './regionMask';

describe('regionMask', () => {
  it('selects whole inlines of the range', () => {
    const mask = regionMask(4, 3, [1, 2], null);
    expect(Array.from(mask)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  });

  it('narrows the range to the cells inside a polygon (a triangle, then a concave L shape)', () => {
    const triangle: [number, number][] = [
      [-0.5, -0.5],
      [4.5, -0.5],
      [-0.5, 4.5],
    ];
    const mask = regionMask(5, 5, [0, 4], triangle);
    for (let il = 0; il < 5; il++) {
      for (let xl = 0; xl < 5; xl++) expect(mask[il * 5 + xl], `${il},${xl}`).toBe(il + xl < 4 ? 1 : 0);
    }
    const ell: [number, number][] = [
      [0, 0],
      [4, 0],
      [4, 1],
      [1, 1],
      [1, 4],
      [0, 4],
    ];
    expect(insidePolygon(ell, 0.5, 3)).toBe(true);
    expect(insidePolygon(ell, 3, 0.5)).toBe(true);
    expect(insidePolygon(ell, 3, 3)).toBe(false);
  });

  it('clips a range beyond the grid', () => {
    expect(regionMask(2, 1, [1, 9], null)).toEqual(Uint8Array.of(0, 1));
  });
});
