/**
 * One OpenFWI sample's five shots written as a pre-stack SEG-Y, as a field crew would deliver them: one shot gather per
 * field record (byte 9), its 70 channels (byte 13) in receiver order, source and receiver coordinates (bytes 73-88, in
 * centimetres: scalar -100 at byte 71), offset (37) and the midpoint's CDP (21), IEEE float at 1 ms. The line is laid
 * out in projected coordinates (a UTM-like origin and an azimuth), not along the x axis, so that readers must find the
 * line from the coordinates. Time zero is the source's start: the 15 Hz Ricker peaks 66.7 ms later.
 */
import { writeNewSegy } from '../segy';
import { OPENFWI, OPENFWI_DATA_SIZE, OPENFWI_SHOTS } from './openfwiLayout';

/** Where the generated line lies: the first receiver's position (m, projected) and the line's azimuth from north. */
export const SHOT_LINE = { originX: 500_000, originY: 6_000_000, azimuthDeg: 30 } as const;
const COORDINATE_SCALAR = -100;

/** Position (m) of a point `alongM` metres down the generated line. */
export function shotLinePoint(alongM: number): { x: number; y: number } {
  const azimuth = (SHOT_LINE.azimuthDeg * Math.PI) / 180;
  return { x: SHOT_LINE.originX + alongM * Math.sin(azimuth), y: SHOT_LINE.originY + alongM * Math.cos(azimuth) };
}

/** Writes the shots [5, 1000, 70] (shot, time, receiver) of one sample as a pre-stack SEG-Y. */
export async function writeShotGatherSegy(outPath: string, shots: Float32Array, description: string): Promise<void> {
  if (shots.length !== OPENFWI_DATA_SIZE) {
    throw new RangeError(`OpenFWI shots hold 5 x 1000 x 70 values, these ${shots.length}`);
  }
  const { cells, samples, spacingM, sourceColumns } = OPENFWI;
  const traceCount = OPENFWI_SHOTS * cells;
  const shotOf = (trace: number) => Math.floor(trace / cells);
  const receiverOf = (trace: number) => trace % cells;
  const column = (values: (trace: number) => number) => Int32Array.from({ length: traceCount }, (_, t) => values(t));
  const scaled = (metres: number) => Math.round(metres * -COORDINATE_SCALAR);
  const source = (t: number) => shotLinePoint(sourceColumns[shotOf(t)]! * spacingM);
  const receiver = (t: number) => shotLinePoint(receiverOf(t) * spacingM);
  await writeNewSegy(outPath, {
    samples: (t) => {
      const out = new Float32Array(samples);
      const base = shotOf(t) * samples * cells + receiverOf(t);
      for (let n = 0; n < samples; n++) out[n] = shots[base + n * cells]!;
      return out;
    },
    traceCount,
    samplesPerTrace: samples,
    sampleIntervalUs: Math.round(OPENFWI.sampleIntervalS * 1e6),
    format: 5,
    traceHeaders: {
      traceSequenceLine: column((t) => t + 1),
      fieldRecord: column((t) => shotOf(t) + 1),
      traceNumber: column((t) => receiverOf(t) + 1),
      energySourcePoint: column((t) => sourceColumns[shotOf(t)]! + 1),
      // Midpoints fall every half cell: CDP k is the midpoint (k - 1) x 5 m down the line.
      cdp: column((t) => sourceColumns[shotOf(t)]! + receiverOf(t) + 1),
      offset: column((t) => Math.round(Math.abs(receiverOf(t) - sourceColumns[shotOf(t)]!) * spacingM)),
      coordinateScalar: COORDINATE_SCALAR,
      sourceX: column((t) => scaled(source(t).x)),
      sourceY: column((t) => scaled(source(t).y)),
      groupX: column((t) => scaled(receiver(t).x)),
      groupY: column((t) => scaled(receiver(t).y)),
      coordinateUnits: 1,
      traceIdentificationCode: 1,
    },
    // Trace sorting code 1: as recorded (shot gathers); 5 shots of 70 channels.
    binaryHeader: { sortingCode: 1, tracesPerEnsemble: cells, measurementSystem: 1 },
    textLines: [
      'C 1 PROMETHIUM SYNTHETIC SHOT GATHERS - MODELLED, NOT FIELD DATA',
      `C 2 ${description.toUpperCase().slice(0, 74)}`,
      'C 3 2D ACOUSTIC FINITE DIFFERENCES, OPENFWI LAYOUT: 70 X 70 CELLS AT 10 M',
      'C 4 5 SHOTS AT 0, 170, 340, 520, 690 M; 70 RECEIVERS EVERY 10 M, 10 M DEEP',
      'C 5 1000 SAMPLES AT 1 MS; TIME ZERO AT SOURCE START, 15 HZ RICKER PEAK 66.7 MS',
      `C 6 LINE FROM X ${SHOT_LINE.originX} Y ${SHOT_LINE.originY} M, AZIMUTH ${SHOT_LINE.azimuthDeg} DEG`,
      'C 7 FIELD RECORD 9, CHANNEL 13, CDP 21, OFFSET 37, SCALAR 71 (-100: CM)',
      'C 8 SOURCE X/Y 73/77, GROUP X/Y 81/85',
    ],
  });
}
