import { describe, expect, it } from 'vitest';
import { TrainingSchedule, warmRestartLearningRate } from './schedule';

const plateau = { factor: 0.5, patience: 3 };

describe('training schedule (no model)', () => {
  it('halves the learning rate after `patience` epochs without improvement, then counts again', () => {
    const schedule = new TrainingSchedule(plateau, { patience: 100 }, { learningRate: 1e-3 });
    const rates = [1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9].map((loss, i) => schedule.observe(i + 1, loss).learningRate);
    // epoch 1 and 2 improve; 3, 4, 5 are flat -> halved after epoch 5; 6, 7 flat but the count restarted.
    expect(rates).toEqual([1e-3, 1e-3, 1e-3, 1e-3, 5e-4, 5e-4, 5e-4]);
    expect(schedule.observe(8, 0.9).learningRateReduced).toBe(true);
    expect(schedule.state.learningRate).toBe(2.5e-4);
  });

  it('treats a gain smaller than 1e-4 relative as no improvement, and an improvement resets the counts', () => {
    const schedule = new TrainingSchedule(plateau, { patience: 100 }, { learningRate: 1 });
    schedule.observe(1, 1);
    expect(schedule.observe(2, 0.99999).improved).toBe(false);
    expect(schedule.observe(3, 0.5).improved).toBe(true);
    expect(schedule.state).toMatchObject({
      bestLoss: 0.5,
      bestEpoch: 3,
      epochsOnPlateau: 0,
      epochsWithoutImprovement: 0,
    });
  });

  it('stops early after `patience` epochs without improvement, plateau reductions notwithstanding', () => {
    const schedule = new TrainingSchedule(plateau, { patience: 5 }, { learningRate: 1 });
    const stops = [2, 1, 1, 1, 1, 1, 1].map((loss, i) => schedule.observe(i + 1, loss).stop);
    expect(stops).toEqual([false, false, false, false, false, false, true]);
  });

  it('never goes below the minimum learning rate, and a NaN loss is never an improvement', () => {
    const schedule = new TrainingSchedule(
      { factor: 0.1, patience: 1, minLearningRate: 1e-3 },
      { patience: 100 },
      { learningRate: 0.01 },
    );
    schedule.observe(1, NaN);
    schedule.observe(2, NaN);
    expect(schedule.state).toMatchObject({ learningRate: 1e-3, bestLoss: Infinity });
  });

  it('continues from a saved state exactly as it would have gone on', () => {
    const straight = new TrainingSchedule(plateau, { patience: 4 }, { learningRate: 1 });
    const losses = [3, 2, 2, 2, 2, 2];
    const straightDecisions = losses.map((loss, i) => straight.observe(i + 1, loss));
    const first = new TrainingSchedule(plateau, { patience: 4 }, { learningRate: 1 });
    losses.slice(0, 3).forEach((loss, i) => first.observe(i + 1, loss));
    const resumed = new TrainingSchedule(plateau, { patience: 4 }, JSON.parse(JSON.stringify(first.state)));
    const resumedDecisions = losses.slice(3).map((loss, i) => resumed.observe(i + 4, loss));
    expect(resumedDecisions).toEqual(straightDecisions.slice(3));
  });
});

describe('cosine annealing with warm restarts', () => {
  const options = { maxLearningRate: 1e-3, minLearningRate: 1e-5, firstCycleSteps: 10, cycleGrowth: 2 };

  it('falls from max to min along half a cosine, then restarts at max for a cycle twice as long', () => {
    expect(warmRestartLearningRate(0, options)).toBeCloseTo(1e-3, 12);
    expect(warmRestartLearningRate(5, options)).toBeCloseTo((1e-3 + 1e-5) / 2, 12);
    expect(warmRestartLearningRate(9, options)).toBeLessThan(5e-5);
    expect(warmRestartLearningRate(10, options)).toBeCloseTo(1e-3, 12);
    expect(warmRestartLearningRate(20, options)).toBeCloseTo((1e-3 + 1e-5) / 2, 12);
    expect(warmRestartLearningRate(30, options)).toBeCloseTo(1e-3, 12);
  });
});
