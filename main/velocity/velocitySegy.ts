/**
 * A velocity map as SEG-Y in depth: one trace per column of the map (x), one sample per cell down (z), IEEE float32
 * (format 5) in m/s. SEG-Y has no depth-interval field: the sample interval field holds the depth step in millimetres
 * (10 m -> 10000), as many depth-domain files do, and the text header says so; the measurement system is metres. Each
 * trace carries its column as CDP number and its lateral position (m) as CDP X.
 */
import { writeNewSegy } from '../segy';

export interface VelocitySegyOptions {
  /** The map [z, x], row-major, m/s. */
  map: Float32Array;
  side: number;
  spacingM: number;
  /** What the values are, for the text header ("VELOCITY", "VELOCITY STANDARD DEVIATION"). */
  title: string;
}

export async function writeVelocitySegy(outPath: string, options: VelocitySegyOptions): Promise<void> {
  const { map, side, spacingM, title } = options;
  if (map.length !== side * side)
    throw new RangeError(`a ${side} x ${side} map has ${side * side} values, not ${map.length}`);
  const column = (x: number) => Float32Array.from({ length: side }, (_, z) => map[z * side + x]!);
  await writeNewSegy(outPath, {
    samples: column,
    traceCount: side,
    samplesPerTrace: side,
    sampleIntervalUs: Math.round(spacingM * 1000),
    format: 5,
    traceHeaders: {
      cdp: Array.from({ length: side }, (_, x) => x + 1),
      cdpX: Array.from({ length: side }, (_, x) => Math.round(x * spacingM)),
    },
    binaryHeader: { measurementSystem: 1 },
    textLines: [
      `C 1 ${title} IN M/S, WRITTEN BY PROMETHIUM (VELOCITY ENSEMBLE)`,
      `C 2 DEPTH DOMAIN: ${side} SAMPLES EVERY ${spacingM} M FROM THE SURFACE`,
      `C 3 SAMPLE INTERVAL FIELD HOLDS THE DEPTH STEP IN MM`,
      `C 4 ONE TRACE PER COLUMN, ${spacingM} M APART; CDP X IN M`,
    ],
  });
}
