/** The messages between an apply's coordinator (spreadApply.ts) and its worker processes (applyWorker.ts). */
import type { ApiErrorShape, ApplyVolumeRequest } from '../../../preload/contract';
import type { ApplyVolumeResult } from '../applyVolume';

export type ToApplyWorker =
  | { type: 'start'; request: ApplyVolumeRequest }
  /** The answer to `next`: the inline to write, or null when every inline is written or held by another worker. */
  | { type: 'inline'; inline: number | null }
  | { type: 'cancel' };

export type FromApplyWorker =
  /** The worker chose its backend on its device and loads the method. */
  | { type: 'ready'; device: string }
  | { type: 'next' }
  | { type: 'written'; inline: number }
  | { type: 'done'; result: ApplyVolumeResult }
  | { type: 'cancelled' }
  | { type: 'failed'; error: ApiErrorShape };
