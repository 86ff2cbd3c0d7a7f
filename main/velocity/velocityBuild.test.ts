import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../ml/backends';
import { deriveSeed } from '../signal/random';
import { velocityModel } from '../synth/velocityModels';
import { modelOpenFwiShots, OPENFWI } from './openfwiLayout';
import { semblanceVelocityMap } from './semblanceBaseline';
import { writeShotGatherSegy } from './shotGatherSegy';
import { buildVelocityModel, fitAmplitude, readVelocityBuild } from './velocityBuild';

const scratch = mkdtempSync(path.join(tmpdir(), 'promethium-velocity-build-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const BUNDLED = {
  id: 'velocity_ensemble_v1',
  name: 'Velocity ensemble v1',
  dir: path.resolve('resources/models/velocity_ensemble_v1'),
};
const truth = velocityModel('flat', deriveSeed(5, 'flat', 0), OPENFWI.cells, OPENFWI.cells);
let shots: Float32Array;
const sourcePath = path.join(scratch, 'shots.sgy');

beforeAll(async () => {
  await chooseBackend('wasm');
  shots = modelOpenFwiShots(truth);
  await writeShotGatherSegy(sourcePath, shots, 'flat family, seed 5');
}, 120_000);

describe('building a velocity model from a pre-stack SEG-Y', () => {
  it('stores the ensemble map and spread, semblance + Dix and the modelled shots, and reads them back', async () => {
    const resultDir = path.join(scratch, 'survey.velocity');
    const messages: string[] = [];
    const record = await buildVelocityModel(
      { surveyId: 'survey-1', sourcePath, model: BUNDLED, sourceDelayMs: 0, resultDir },
      { signal: new AbortController().signal, progress: (_fraction, message) => messages.push(message) },
    );
    expect(messages).toContain('modelling shot 5 of 5 over the map');
    expect(readdirSync(scratch).filter((name) => name.includes('partial'))).toEqual([]);
    const build = (await readVelocityBuild(resultDir))!;
    expect(build.seconds).toEqual(record.seconds);
    expect([build.cells, build.spacingM, build.augmentedMaps, build.line.azimuthDeg, build.sourceDelayMs]).toEqual([
      70,
      10,
      12,
      expect.closeTo(30, 3),
      0,
    ]);
    expect(build.shots.sourcePositionsM).toEqual([0, 170, 340, 520, 690].map((x) => expect.closeTo(x, 2)));
    expect(build.velocity.length).toBe(4900);
    expect(Math.min(...build.velocity)).toBeGreaterThanOrEqual(1500);
    expect(Math.max(...build.velocity)).toBeLessThanOrEqual(4500);
    expect(Math.min(...build.spread)).toBeGreaterThan(0);
    // The baseline is semblance + Dix of the shots as read (here the modelled ones to within centimetre coordinates).
    const baseline = semblanceVelocityMap(build.shots.input);
    expect(build.baseline).toEqual(baseline);
    // Input and modelled shots come from the same modeller: the least-squares scale is near one and the residual is
    // what the predicted map gets wrong, well below the input itself.
    expect(build.shots.input.length).toBe(5 * 1000 * 70);
    expect(build.modelledScale).toBeGreaterThan(0.5);
    expect(build.modelledScale).toBeLessThan(1.5);
    expect(build.relativeResidual).toBeGreaterThan(0);
    expect(build.relativeResidual).toBeLessThan(1);
  }, 240_000);

  it('stops when cancelled and leaves no build behind', async () => {
    const resultDir = path.join(scratch, 'cancelled.velocity');
    const controller = new AbortController();
    const job = buildVelocityModel(
      { surveyId: 'survey-2', sourcePath, model: BUNDLED, sourceDelayMs: 0, resultDir },
      {
        signal: controller.signal,
        progress: (_fraction, message) => {
          if (message.startsWith('modelling shot 2')) controller.abort();
        },
      },
    );
    await expect(job).rejects.toThrow(/cancelled by the user/);
    expect(existsSync(resultDir)).toBe(false);
    expect(await readVelocityBuild(resultDir)).toBeNull();
  }, 240_000);

  it('fits one amplitude factor between modelled and recorded shots', () => {
    const recorded = Float32Array.from({ length: 100 }, (_, k) => Math.sin(k / 3));
    expect(
      fitAmplitude(
        recorded,
        recorded.map((v) => 4 * v),
      ),
    ).toEqual({ scale: 0.25, relativeResidual: 0 });
    const unrelated = fitAmplitude(
      recorded,
      Float32Array.from({ length: 100 }, (_, k) => Math.cos(k / 3)),
    );
    expect(unrelated.relativeResidual).toBeGreaterThan(0.9);
  });
});
