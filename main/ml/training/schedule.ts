/**
 * The per-epoch decisions of training, kept apart from the model so they can be tested and checkpointed as plain data:
 * reduce-on-plateau of the learning rate and early stopping, both watching the validation loss.
 *
 * Counting follows Keras (ReduceLROnPlateau, EarlyStopping): an epoch improves when its loss is below the best so far
 * by more than a relative `minRelativeImprovement` (PyTorch's default threshold, 1e-4); after `patience` epochs in a
 * row without improvement the learning rate is multiplied by `factor` (and the plateau count starts again), and
 * training stops once early stopping's own count reaches its patience. Early stopping's count is reset only by an
 * improvement, so a reduced learning rate gets its chance but not an endless one.
 */

export interface PlateauOptions {
  /** Multiplier of the learning rate on a plateau (0.5 halves it). */
  factor: number;
  /** Epochs without improvement before the learning rate is reduced. */
  patience: number;
  /** The learning rate is never reduced below this (default 1e-7). */
  minLearningRate?: number;
}

export interface EarlyStoppingOptions {
  /** Epochs without improvement before training stops. */
  patience: number;
}

/** What a checkpoint keeps of the schedule. */
export interface ScheduleState {
  learningRate: number;
  bestLoss: number;
  bestEpoch: number;
  epochsOnPlateau: number;
  epochsWithoutImprovement: number;
}

export interface EpochDecision {
  improved: boolean;
  learningRate: number;
  learningRateReduced: boolean;
  stop: boolean;
}

const MIN_RELATIVE_IMPROVEMENT = 1e-4;
const DEFAULT_MIN_LEARNING_RATE = 1e-7;

export class TrainingSchedule {
  private current: ScheduleState;

  constructor(
    private readonly plateau: PlateauOptions,
    private readonly earlyStopping: EarlyStoppingOptions,
    start: ScheduleState | { learningRate: number },
  ) {
    if (!(plateau.factor > 0 && plateau.factor < 1))
      throw new Error(`plateau factor must be in (0, 1), got ${plateau.factor}`);
    if (!(plateau.patience >= 1 && earlyStopping.patience >= 1)) throw new Error('patience must be at least one epoch');
    this.current =
      'bestLoss' in start
        ? { ...start }
        : {
            learningRate: start.learningRate,
            bestLoss: Infinity,
            bestEpoch: 0,
            epochsOnPlateau: 0,
            epochsWithoutImprovement: 0,
          };
  }

  get state(): ScheduleState {
    return { ...this.current };
  }

  /** Records the validation loss of `epoch` and says whether it is the best so far, the next learning rate and whether to stop. */
  observe(epoch: number, loss: number): EpochDecision {
    const state = this.current;
    const improved = Number.isFinite(loss) && loss < state.bestLoss * (1 - MIN_RELATIVE_IMPROVEMENT);
    let learningRateReduced = false;
    if (improved) {
      Object.assign(state, { bestLoss: loss, bestEpoch: epoch, epochsOnPlateau: 0, epochsWithoutImprovement: 0 });
    } else {
      state.epochsOnPlateau += 1;
      state.epochsWithoutImprovement += 1;
      if (state.epochsOnPlateau >= this.plateau.patience) {
        const reduced = Math.max(
          this.plateau.minLearningRate ?? DEFAULT_MIN_LEARNING_RATE,
          state.learningRate * this.plateau.factor,
        );
        learningRateReduced = reduced < state.learningRate;
        state.learningRate = reduced;
        state.epochsOnPlateau = 0;
      }
    }
    const stop = state.epochsWithoutImprovement >= this.earlyStopping.patience;
    return { improved, learningRate: state.learningRate, learningRateReduced, stop };
  }
}

export interface WarmRestartOptions {
  /** The learning rate at the start of every cycle. */
  maxLearningRate: number;
  minLearningRate: number;
  /** Steps of the first cycle; each next cycle is `cycleGrowth` times longer (SGDR's T_0 and T_mult). */
  firstCycleSteps: number;
  cycleGrowth: number;
}

/**
 * Cosine annealing with warm restarts (Loshchilov & Hutter 2017, SGDR; PyTorch's CosineAnnealingWarmRestarts): within
 * a cycle the rate falls from max to min along half a cosine, then restarts at max for a longer cycle. A pure
 * function of the step, so a resumed run needs nothing but its step count.
 */
export function warmRestartLearningRate(step: number, options: WarmRestartOptions): number {
  const { maxLearningRate, minLearningRate, firstCycleSteps, cycleGrowth } = options;
  let cycle = firstCycleSteps;
  let position = step;
  while (position >= cycle) {
    position -= cycle;
    cycle *= cycleGrowth;
  }
  return minLearningRate + 0.5 * (maxLearningRate - minLearningRate) * (1 + Math.cos((Math.PI * position) / cycle));
}
