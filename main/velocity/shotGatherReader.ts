/**
 * A pre-stack SEG-Y's shot gathers read into the velocity networks' layout (shotGatherInput.ts): source and receiver
 * coordinates from trace header bytes 73-88 with the coordinate scalar of bytes 71-72, the time axis from the
 * sample interval and the delay (bytes 109-110 with the time scalar), dead traces (identification code 2 or all
 * zeros) left out. Only the traces of the five chosen shots are read. A source delay moves the traces' time origin
 * later, for surveys whose time zero is not the source's start (e.g. at the wavelet's peak).
 */
import { PromethiumError } from '../../preload/contract';
import { scanSegy, type SegyFile } from '../segy';
import { applyScalar, sampleAxisOf } from '../survey/scalars';
import { OPENFWI } from './openfwiLayout';
import {
  NETWORK_DOMAIN_TEXT,
  planShotInput,
  resampleShots,
  type ShotInputPlan,
  type ShotTimeAxis,
  type ShotTraceGeometry,
} from './shotGatherInput';

/** The five shots in the network's layout [shot, time, receiver], how they were chosen, and what the mapping changed. */
export interface ShotGatherInput {
  readonly shots: Float32Array;
  readonly plan: ShotInputPlan;
  /** File positions of the planned traces (plan.shots[k].traces index into this). */
  readonly filePositions: Int32Array;
  readonly notes: readonly string[];
}

const HEADER_BYTES = { scalar: 71, sourceX: 73, sourceY: 77, groupX: 81, groupY: 85, units: 89 } as const;
/** Coordinate units (bytes 89-90): 2 = arc seconds, 3 = decimal degrees, 4 = DMS; 0 and 1 are taken as metres. */
const GEOGRAPHIC_UNITS = new Set([2, 3, 4]);

export async function readShotGatherInput(
  file: SegyFile,
  sourceDelayS: number,
  signal?: AbortSignal,
): Promise<ShotGatherInput> {
  const recorded = await timeAxis(file);
  const axis = { ...recorded, firstSampleS: recorded.firstSampleS + sourceDelayS };
  const scan = await scanSegy(file, { headerFields: Object.values(HEADER_BYTES), ...(signal ? { signal } : {}) });
  const column = (byte: number) => scan.fields.get(byte)!;
  const filePositions: number[] = [];
  const geometry: ShotTraceGeometry[] = [];
  for (let trace = 0; trace < scan.traceCount; trace++) {
    if (scan.deadTraces[trace] === 1) continue;
    if (GEOGRAPHIC_UNITS.has(column(HEADER_BYTES.units)[trace]!)) {
      throw new PromethiumError(
        'invalid-argument',
        `trace ${trace + 1} gives its coordinates in geographic units (bytes 89-90): the velocity network needs ` +
          'projected coordinates in metres',
      );
    }
    const scalar = column(HEADER_BYTES.scalar)[trace]!;
    const coordinate = (byte: number) => applyScalar(column(byte)[trace]!, scalar);
    filePositions.push(trace);
    geometry.push({
      sourceX: coordinate(HEADER_BYTES.sourceX),
      sourceY: coordinate(HEADER_BYTES.sourceY),
      receiverX: coordinate(HEADER_BYTES.groupX),
      receiverY: coordinate(HEADER_BYTES.groupY),
    });
  }
  const plan = planShotInput(geometry);
  const shots = await resampleShots(plan, axis, (index) => {
    signal?.throwIfAborted();
    return file.readTrace(filePositions[index]!);
  });
  return { shots, plan, filePositions: Int32Array.from(filePositions), notes: [...plan.notes, ...recordNotes(axis)] };
}

/** The traces' time axis in seconds; a depth-domain file holds no shots. */
async function timeAxis(file: SegyFile): Promise<ShotTimeAxis> {
  if (file.traceCount === 0)
    throw new PromethiumError('invalid-argument', `the survey has no traces; ${NETWORK_DOMAIN_TEXT}`);
  const axis = sampleAxisOf(file, await file.readTraceHeader(0));
  if (axis.domain !== 'time') {
    throw new PromethiumError(
      'invalid-argument',
      'the survey is in depth: velocity building needs shots recorded in time',
    );
  }
  return { sampleIntervalS: axis.interval / 1000, firstSampleS: axis.start / 1000, samples: axis.count };
}

function recordNotes(axis: ShotTimeAxis): string[] {
  const notes: string[] = [];
  const endS = axis.firstSampleS + (axis.samples - 1) * axis.sampleIntervalS;
  const networkEndS = (OPENFWI.samples - 1) * OPENFWI.sampleIntervalS;
  if (axis.firstSampleS > 0) notes.push(`the record starts at ${ms(axis.firstSampleS)}: earlier samples are zero`);
  if (endS < networkEndS) notes.push(`the record ends at ${ms(endS)}: the network's samples after it are zero`);
  if (endS > networkEndS) notes.push(`samples after 999 ms (up to ${ms(endS)}) are left out`);
  if (Math.abs(axis.sampleIntervalS - OPENFWI.sampleIntervalS) > 1e-9) {
    notes.push(
      `resampled from ${ms(axis.sampleIntervalS)} to 1 ms${axis.sampleIntervalS < 1e-3 ? ' (anti-alias low-pass at 400 Hz)' : ''}`,
    );
  }
  return notes;
}

const ms = (seconds: number) => `${Number((seconds * 1000).toFixed(3))} ms`;
