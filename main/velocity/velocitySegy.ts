/**
 * A velocity map as SEG-Y in depth: one trace per column of the map (x), one sample per cell down (z), IEEE float32
 * (format 5) in m/s. SEG-Y has no depth-interval field: the sample interval field holds the depth step in millimetres
 * (10 m -> 10000), as many depth-domain files do, and the text header says so; the measurement system is metres. Each
 * trace carries its column as CDP number and its position as CDP X/Y: on the survey's line when it is known (projected
 * coordinates in centimetres, scalar -100), else its distance along the map (m) as CDP X.
 */
import { writeNewSegy } from '../segy';

export interface VelocitySegyOptions {
  /** The map [z, x], row-major, m/s. */
  map: Float32Array;
  side: number;
  spacingM: number;
  /** What the values are, for the text header ("VELOCITY", "VELOCITY STANDARD DEVIATION"). */
  title: string;
  /** The survey line the map lies on: column 0 at (originX, originY), projected metres, along `azimuthDeg` from north. */
  line?: { originX: number; originY: number; azimuthDeg: number };
}

const CENTIMETRES = -100;

/** CDP X/Y (and their scalar) of each column, and what the text header says of them. */
function columnPositions(options: VelocitySegyOptions): {
  headers: { cdpX: number[]; cdpY?: number[]; coordinateScalar?: number };
  text: string;
} {
  const { side, spacingM, line } = options;
  const along = Array.from({ length: side }, (_, x) => x * spacingM);
  if (line === undefined) {
    return { headers: { cdpX: along.map(Math.round) }, text: `ONE TRACE PER COLUMN, ${spacingM} M APART; CDP X IN M` };
  }
  const azimuth = (line.azimuthDeg * Math.PI) / 180;
  const toCentimetres = (metres: number) => Math.round(metres * -CENTIMETRES);
  return {
    headers: {
      cdpX: along.map((d) => toCentimetres(line.originX + d * Math.sin(azimuth))),
      cdpY: along.map((d) => toCentimetres(line.originY + d * Math.cos(azimuth))),
      coordinateScalar: CENTIMETRES,
    },
    text: `ONE TRACE PER COLUMN, ${spacingM} M APART ON THE LINE; CDP X/Y IN CM (SCALAR -100)`,
  };
}

export async function writeVelocitySegy(outPath: string, options: VelocitySegyOptions): Promise<void> {
  const { map, side, spacingM, title } = options;
  if (map.length !== side * side)
    throw new RangeError(`a ${side} x ${side} map has ${side * side} values, not ${map.length}`);
  const column = (x: number) => Float32Array.from({ length: side }, (_, z) => map[z * side + x]!);
  const positions = columnPositions(options);
  await writeNewSegy(outPath, {
    samples: column,
    traceCount: side,
    samplesPerTrace: side,
    sampleIntervalUs: Math.round(spacingM * 1000),
    format: 5,
    traceHeaders: { cdp: Array.from({ length: side }, (_, x) => x + 1), ...positions.headers },
    binaryHeader: { measurementSystem: 1 },
    textLines: [
      `C 1 ${title} IN M/S, WRITTEN BY PROMETHIUM (VELOCITY ENSEMBLE)`,
      `C 2 DEPTH DOMAIN: ${side} SAMPLES EVERY ${spacingM} M FROM THE SURFACE`,
      `C 3 SAMPLE INTERVAL FIELD HOLDS THE DEPTH STEP IN MM`,
      `C 4 ${positions.text}`,
    ],
  });
}
