/**
 * The 'apply-volume' job: a reconstruction applied to a whole survey, streamed inline by inline from the input cache
 * into a derived volume (derivedVolume.ts). Inlines outside the chosen range are copied unchanged so the volume is
 * complete on its own. Resumable: the inline chunks already on disk are finished lines and are skipped, so a job
 * started again after a crash or a cancel continues after the last finished line.
 */
import type { ApplyVolumeRequest } from '../../preload/contract';
import { SurveyCache } from '../survey/cache';
import { sampleIntervalSeconds } from '../survey/scalars';
import { DerivedVolumeWriter, isZeroTrace } from '../survey/derivedVolume';
import { regionMask } from '../survey/regionMask';
import { checkpoint } from '../ml/cancellation';
import type { JobContext } from './protocol';
import { strengthSummary } from '../ml/sure';
import { reconstructor, type Reconstructor } from './reconstructSection';

export interface ApplyVolumeResult {
  method: string;
  inlines: number;
  /** Inlines reconstructed by this run (the others were copied, or finished by an earlier run). */
  inlinesReconstructed: number;
  /** Inlines an earlier, interrupted run had finished. */
  inlinesAlreadyDone: number;
  /** The first inline index this run wrote (null when nothing was left): where a resumed job started. */
  firstInlineWritten: number | null;
  tracesFilled: number;
  /** Model denoising at checked strength: the strengths of the inlines this run reconstructed (ml/sure.ts). */
  strength: { median: number; min: number; max: number } | null;
  seconds: number;
  /** Wall time of the inline loop per reconstructed inline (inlines overlap: this is the throughput, not a latency). */
  secondsPerReconstructedInline: number | null;
}

/** Progress detail: what the host records in the volumes table after every finished line. */
export interface ApplyVolumeProgress {
  volumeId: string;
  completedLines: number;
  totalLines: number;
  /** The inline just written. */
  inline: number;
}

/**
 * How one run takes part in an apply: a local job does every inline and finishes the volume; a cluster task
 * (main/cluster) does only its slice of inline indices, beside other tasks writing other inlines of the same volume,
 * and a final cluster step finishes it.
 */
export interface ApplyShare {
  /** Inline indices [first, last] this run writes; null: all of them. */
  slice: [number, number] | null;
  /** Whether this run builds the 3D view's downsampled volume and the filled mask after the last inline. */
  finish: boolean;
  /** Whether other writers may be working in the same volume (then only this run's own temporary files are cleared). */
  shared: boolean;
  /**
   * The inlines to write, as a worker of several on one machine (compute/workers) is dealt them one at a time; absent:
   * every unfinished inline of the slice.
   */
  dealt?: AsyncIterable<number>;
}

const LOCAL_RUN: ApplyShare = { slice: null, finish: true, shared: false };

export async function applyVolume(
  request: ApplyVolumeRequest,
  context: JobContext,
  share: ApplyShare = LOCAL_RUN,
): Promise<ApplyVolumeResult> {
  const started = performance.now();
  const input = await SurveyCache.open(request.inputDir);
  try {
    const [inlines, crosslines, samples] = input.shape;
    const [first, last] = request.inlines;
    if (first > last || last >= inlines) {
      throw Object.assign(new Error(`inline indices ${first}..${last} are outside 0..${inlines - 1} of the survey`), {
        apiCode: 'invalid-argument',
      });
    }
    const [sliceFirst, sliceLast] = share.slice ?? [0, inlines - 1];
    if (sliceFirst > sliceLast || sliceLast >= inlines) {
      throw Object.assign(new Error(`inline slice ${sliceFirst}..${sliceLast} is outside 0..${inlines - 1}`), {
        apiCode: 'invalid-argument',
      });
    }
    const region = regionMask(inlines, crosslines, request.inlines, request.polygon);
    const keepUncertainty = request.model !== null && request.ensemble > 1;
    const writer = await openVolumeWriter(request, input, share.shared);
    const finished = await writer.finishedInlines();
    const todo = range(sliceFirst, sliceLast).filter((il) => !finished.has(il));
    const sliceSize = sliceLast - sliceFirst + 1;
    let sliceDone = sliceSize - todo.length;
    const axis = input.attributes.sampleAxis;
    context.progress(sliceDone / sliceSize, 'loading the method');
    const { run, method } = await reconstructor(request, request.inputDir, sampleIntervalSeconds(axis));
    const result: ApplyVolumeResult = {
      method,
      inlines,
      inlinesReconstructed: 0,
      inlinesAlreadyDone: sliceDone,
      firstInlineWritten: null,
      tracesFilled: 0,
      strength: null,
      seconds: 0,
      secondsPerReconstructedInline: null,
    };
    const strengths: number[] = [];
    const loopStarted = performance.now();
    const reconstructAt = async (il: number): Promise<ReconstructedInline> => {
      const cells = region.subarray(il * crosslines, (il + 1) * crosslines);
      const { data } = await input.inline(il);
      const reconstructed = cells.includes(1);
      const line = reconstructed
        ? await reconstructInline(run, data, { traces: crosslines, samples }, cells, request)
        : { values: data, uncertainty: null, strength: null };
      const deviation = keepUncertainty ? (line.uncertainty ?? new Float32Array(data.length)) : null;
      return { il, values: line.values, deviation, strength: line.strength, reconstructed };
    };
    const write = async ({ il, values, deviation, strength, reconstructed }: ReconstructedInline) => {
      await writer.writeInline(il, values, deviation);
      if (strength !== null) strengths.push(strength);
      if (reconstructed) result.inlinesReconstructed++;
      result.firstInlineWritten ??= il;
      finished.add(il);
      sliceDone++;
      const progress: ApplyVolumeProgress = {
        volumeId: request.volumeId,
        completedLines: finished.size,
        totalLines: inlines,
        inline: il,
      };
      context.progress(
        0.95 * (sliceDone / sliceSize),
        `inline ${input.inlineNumbers[il]} (${sliceDone} of ${sliceSize})`,
        progress,
      );
    };
    await overlapped(share.dealt ?? todo, reconstructAt, write, context.signal);
    const reconstructionSeconds = (performance.now() - loopStarted) / 1000;
    if (share.finish) result.tracesFilled = await finishVolume(writer, input, request.volumeDir, context);
    result.strength = strengthSummary(strengths);
    result.seconds = (performance.now() - started) / 1000;
    result.secondsPerReconstructedInline = result.inlinesReconstructed
      ? reconstructionSeconds / result.inlinesReconstructed
      : null;
    return result;
  } finally {
    await input.close();
  }
}

/** An inline read and reconstructed (or copied, outside the region), ready to be written. */
interface ReconstructedInline {
  il: number;
  values: Float32Array;
  deviation: Float32Array | null;
  strength: number | null;
  reconstructed: boolean;
}

/**
 * Inlines in progress at once. While the oldest is written, the next ones are read and reconstructed: reading, writing
 * and the CPU's share of a reconstruction overlap the network's (a GPU computes while this thread works on another
 * inline), and the patches of several inlines share the network's batches (ml/patchBatcher.ts).
 */
export const INLINES_IN_FLIGHT = 3;

/**
 * `reconstruct` of every item, up to INLINES_IN_FLIGHT at once, and `write` of each result in order, one write at a
 * time, overlapped with the reconstructions that follow. Each write is chained as its item starts, not when the next
 * item is asked for: a worker of several (compute/workers) is dealt its next inline only once the others are written,
 * so waiting for the next item must never hold a write back. Cancellation stops starting new items; whatever was
 * started is waited for before this returns or throws (it reads the input, which the caller then closes).
 */
export async function overlapped<T>(
  items: Iterable<number> | AsyncIterable<number>,
  reconstruct: (item: number) => Promise<T>,
  write: (result: T) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const started: Promise<T>[] = [];
  /** Per item not yet written: the end of its write (which follows every earlier item's). */
  const unwritten: Promise<void>[] = [];
  let lastWrite: Promise<void> = Promise.resolve();
  try {
    for await (const item of items) {
      await checkpoint(signal);
      const result = reconstruct(item);
      result.catch(() => undefined); // observed here; thrown where its write is awaited, in order
      started.push(result);
      lastWrite = lastWrite.then(() => result).then(write);
      lastWrite.catch(() => undefined); // observed here; thrown where it is awaited
      unwritten.push(lastWrite);
      if (unwritten.length >= INLINES_IN_FLIGHT) await unwritten.shift();
    }
    await lastWrite;
  } finally {
    await Promise.allSettled([...started, lastWrite]);
  }
}

/**
 * Sets the derived volume up (or opens the one an earlier run set up). Cluster submission calls this once before any
 * task starts, so tasks never race to create it.
 */
export async function openVolumeWriter(
  request: ApplyVolumeRequest,
  input: SurveyCache,
  shared: boolean,
): Promise<DerivedVolumeWriter> {
  const [inlines, crosslines] = input.shape;
  const region = regionMask(inlines, crosslines, request.inlines, request.polygon);
  return DerivedVolumeWriter.openOrCreate(
    request.volumeDir,
    {
      input,
      liveMask: outputLiveMask(input.liveMask().data, region, request.task),
      lineage: lineageOf(request),
      uncertainty: request.model !== null && request.ensemble > 1,
    },
    { shared },
  );
}

/** The last step of a cluster apply, once every task has written its inlines: returns the traces filled. */
export async function finishAppliedVolume(request: ApplyVolumeRequest, context: JobContext): Promise<number> {
  const input = await SurveyCache.open(request.inputDir);
  try {
    const writer = await openVolumeWriter(request, input, false);
    return await finishVolume(writer, input, request.volumeDir, context);
  } finally {
    await input.close();
  }
}

/** After the last inline (of every task): the 3D view's downsampled volume and the filled-trace mask. */
async function finishVolume(
  writer: DerivedVolumeWriter,
  input: SurveyCache,
  volumeDir: string,
  context: JobContext,
): Promise<number> {
  const [inlines] = input.shape;
  const finished = await writer.finishedInlines();
  if (finished.size !== inlines) {
    throw Object.assign(new Error(`the volume has ${finished.size} of ${inlines} inlines: it cannot be finished yet`), {
      apiCode: 'invalid-argument',
    });
  }
  context.progress(0.95, 'finishing the volume (3D view, filled traces)');
  const output = await SurveyCache.open(volumeDir);
  try {
    return (await writer.finish(input, output)).tracesFilled;
  } finally {
    await output.close();
  }
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, k) => first + k);
}

/** Interpolation makes the region's cells live (they get filled); denoising records nothing new. */
function outputLiveMask(inputMask: Uint8Array, region: Uint8Array, task: ApplyVolumeRequest['task']): Uint8Array {
  return task === 'interpolate' ? inputMask.map((live, cell) => live | region[cell]!) : Uint8Array.from(inputMask);
}

function lineageOf(request: ApplyVolumeRequest): Record<string, unknown> {
  return {
    derivedFrom: request.inputDir,
    surveyId: request.surveyId,
    volumeId: request.volumeId,
    task: request.task,
    model: request.model?.name ?? null,
    method: request.method,
    fullStrength: request.fullStrength,
  };
}

/**
 * One inline: the method sees the whole line (context across the region's border) but only region cells take its
 * output; denoising keeps dead traces dead, interpolation keeps live traces exactly.
 */
async function reconstructInline(
  run: Reconstructor,
  data: Float32Array,
  shape: { traces: number; samples: number },
  cells: Uint8Array,
  request: ApplyVolumeRequest,
): Promise<{ values: Float32Array; uncertainty: Float32Array | null; strength: number | null }> {
  const { traces, samples } = shape;
  const live = Uint8Array.from({ length: traces }, (_, t) =>
    isZeroTrace(data.subarray(t * samples, (t + 1) * samples)) ? 0 : 1,
  );
  const { output, uncertainty, strength } = await run(data, shape, live);
  const values = Float32Array.from(data);
  const deviation = uncertainty ? new Float32Array(data.length) : null;
  for (let t = 0; t < traces; t++) {
    const replaced = cells[t] === 1 && (request.task === 'denoise' ? live[t] === 1 : live[t] === 0);
    if (!replaced) continue;
    values.set(output.subarray(t * samples, (t + 1) * samples), t * samples);
    deviation?.set(uncertainty!.subarray(t * samples, (t + 1) * samples), t * samples);
  }
  return { values, uncertainty: deviation, strength: strength?.strength ?? null };
}
