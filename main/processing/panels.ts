/**
 * How a survey is cut into 2D panels for processing: inlines of a 3D cube, the whole 2D line, gathers of pre-stack
 * data, or all traces in file order when there is no structure. A panel lists, per column, the source trace (or -1
 * for a grid position with no trace), so reconstruction can also fill positions the file lacks.
 */
import type { Geometry } from '../survey/geometry';

export interface Panel {
  label: string;
  /** Inline number for 3D panels (used by --lines), else null. */
  inline: number | null;
  /** Source trace of each column; -1 where the grid has no trace. */
  traces: Int32Array;
  /** Inline/crossline grid cell of each column (3D only), for headers of filled traces. */
  cells: Int32Array | null;
}

export function panelsOf(geometry: Geometry): Panel[] {
  const { grid, line, gathers } = geometry;
  if (geometry.kind === 'post-stack-3d' && grid) {
    const slots = grid.offsets.length;
    const xl = grid.crosslines.count;
    return Array.from({ length: grid.inlines.count }, (_, il) => {
      const cells = Int32Array.from({ length: xl }, (_, j) => il * xl + j);
      return {
        label: `inline ${grid.inlines.first + il * grid.inlines.step}`,
        inline: grid.inlines.first + il * grid.inlines.step,
        traces: cells.map((cell) => grid.traceIndex[cell * slots]!),
        cells,
      };
    });
  }
  if (geometry.kind === 'post-stack-2d' && line) {
    return [{ label: 'line', inline: null, traces: Int32Array.from(line.traceIndex), cells: null }];
  }
  if (gathers) {
    return Array.from(gathers.gatherKeys, (key, g) => ({
      label: `gather ${key}`,
      inline: null,
      traces: gathers.traceIndex.slice(gathers.gatherStart[g], gathers.gatherStart[g + 1]),
      cells: null,
    }));
  }
  return [
    {
      label: 'all traces',
      inline: null,
      traces: Int32Array.from({ length: geometry.traceCount }, (_, i) => i),
      cells: null,
    },
  ];
}
