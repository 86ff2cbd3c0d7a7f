/**
 * The messages between a job's coordinator and its worker processes: an apply's (spreadApply.ts, applyWorker.ts) and
 * a data-parallel training's (spreadTraining.ts, trainWorker.ts).
 */
import type { ApiErrorShape, ApplyVolumeRequest, JobRequest } from '../../../preload/contract';
import type { ApplyVolumeResult } from '../applyVolume';
import type { TrainModelResult } from '../trainModel';

export type ToApplyWorker =
  | { type: 'start'; request: ApplyVolumeRequest }
  /** The answer to `next`: the inline to write, or null when every inline is written or held by another worker. */
  | { type: 'inline'; inline: number | null }
  | { type: 'cancel' };

export type FromApplyWorker =
  | { type: 'next' }
  | { type: 'written'; inline: number }
  | { type: 'done'; result: ApplyVolumeResult }
  | { type: 'cancelled' }
  | { type: 'failed'; error: ApiErrorShape };

export type TrainRequest = Extract<JobRequest, { kind: 'train-model' }>;

export type ToTrainWorker =
  | { type: 'start'; request: TrainRequest; rank: number; workers: number }
  /** The answer to `reduce`: the sum over every worker, or worker 0's values. */
  | { type: 'reduced'; values: Float32Array }
  | { type: 'cancel' };

export type FromTrainWorker =
  | { type: 'reduce'; kind: 'sum' | 'broadcast'; values: Float32Array }
  /** Worker 0's progress, the job's. */
  | { type: 'progress'; fraction: number; message: string; detail?: unknown }
  | { type: 'done'; result: TrainModelResult }
  | { type: 'cancelled' }
  | { type: 'failed'; error: ApiErrorShape };
