/**
 * Which grid cells a volume application replaces: a range of inlines, optionally narrowed to a polygon drawn on the
 * base map in (inline index, crossline index) coordinates. Cells outside keep the input.
 */

/** Even-odd rule (ray casting) at the cell centre: a vertex list, closed implicitly. */
export function insidePolygon(polygon: readonly (readonly [number, number])[], il: number, xl: number): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [ilA, xlA] = polygon[i]!;
    const [ilB, xlB] = polygon[j]!;
    if (xlA > xl !== xlB > xl && il < ((ilB - ilA) * (xl - xlA)) / (xlB - xlA) + ilA) inside = !inside;
  }
  return inside;
}

/** 1 for every cell [inline][crossline] in inlines [first, last] (and inside the polygon when there is one). */
export function regionMask(
  inlines: number,
  crosslines: number,
  range: readonly [number, number],
  polygon: readonly (readonly [number, number])[] | null,
): Uint8Array {
  const mask = new Uint8Array(inlines * crosslines);
  for (let il = Math.max(0, range[0]); il <= Math.min(inlines - 1, range[1]); il++) {
    for (let xl = 0; xl < crosslines; xl++) {
      if (!polygon || insidePolygon(polygon, il, xl)) mask[il * crosslines + xl] = 1;
    }
  }
  return mask;
}
