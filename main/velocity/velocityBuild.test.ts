import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../files/npy';
import { chooseBackend } from '../ml/backends';
import { deriveSeed } from '../signal/random';
import { velocityModel } from '../synth/velocityModels';
import { modelOpenFwiShots, OPENFWI } from './openfwiLayout';
import { semblanceVelocityMap } from './semblanceBaseline';
import { writeShotGatherSegy } from './shotGatherSegy';
import {
  buildVelocityModel,
  fitAmplitude,
  readVelocityBuild,
  readVelocityMap,
  readVelocityRecord,
  type VelocityBuildRecord,
} from './velocityBuild';

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

/** A build as the app stores it, written by hand so that each test can damage one part of it. */
const STORED_RECORD: VelocityBuildRecord = {
  surveyId: 'survey-3',
  model: { id: 'velocity_ensemble_v1', name: 'Velocity ensemble v1' },
  builtAt: '2026-12-01T10:00:00.000Z',
  cells: 70,
  spacingM: 10,
  line: { originX: 500_000, originY: 6_200_000, azimuthDeg: 30 },
  sourceDelayMs: 40,
  sourcePositionsM: [0, 170, 340, 520, 690],
  modelledScale: 0.9,
  relativeResidual: 0.4,
  augmentedMaps: 12,
  notes: [],
  seconds: { read: 1, predict: 2, baseline: 3, modelling: 4, total: 10 },
};

let storedBuilds = 0;
function writeStoredBuild(record: unknown = STORED_RECORD): string {
  const dir = path.join(scratch, `stored-${++storedBuilds}.velocity`);
  mkdirSync(dir);
  for (const name of ['velocity', 'spread', 'baseline']) {
    writeFileSync(path.join(dir, `${name}.npy`), encodeNpy(new Float32Array(70 * 70).fill(2500), [1, 1, 70, 70]));
  }
  for (const name of ['shots', 'modelled']) {
    writeFileSync(path.join(dir, `${name}.npy`), encodeNpy(new Float32Array(5 * 1000 * 70), [1, 5, 1000, 70]));
  }
  writeFileSync(path.join(dir, 'build.json'), JSON.stringify(record));
  return dir;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The error of a damaged build: it names the file, then the problem, and says what to do. */
const damaged = (file: string, problem: string) => ({
  code: 'damaged-file',
  message: expect.stringMatching(
    new RegExp(
      `^the stored velocity model is damaged: ${escaped(file)}.*${escaped(problem)}.*build the velocity model again$`,
    ),
  ),
});

describe('reading a stored velocity build back', () => {
  it('reads an intact build, and gives a build saved before the source delay existed a delay of 0 ms', async () => {
    const intact = await readVelocityBuild(writeStoredBuild());
    expect([intact!.sourceDelayMs, intact!.velocity[0], intact!.shots.modelled.length]).toEqual([40, 2500, 350_000]);
    const { sourceDelayMs: _dropped, ...beforeDelays } = STORED_RECORD;
    expect(await readVelocityRecord(writeStoredBuild(beforeDelays))).toEqual({ ...STORED_RECORD, sourceDelayMs: 0 });
  });

  it('names build.json when it is cut short', async () => {
    const dir = writeStoredBuild();
    const file = path.join(dir, 'build.json');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 100));
    await expect(readVelocityBuild(dir)).rejects.toMatchObject(damaged(file, 'is not valid JSON'));
  });

  it('names the field of build.json that has the wrong type or is missing', async () => {
    const wrongType = writeStoredBuild({ ...STORED_RECORD, modelledScale: '0.9' });
    await expect(readVelocityRecord(wrongType)).rejects.toMatchObject(
      damaged(path.join(wrongType, 'build.json'), 'modelledScale: Invalid input: expected number, received string'),
    );
    const { line: _dropped, ...noLine } = STORED_RECORD;
    const missing = writeStoredBuild(noLine);
    await expect(readVelocityRecord(missing)).rejects.toMatchObject(
      damaged(path.join(missing, 'build.json'), 'line: Invalid input'),
    );
  });

  it('names an array that is cut short, missing, of the wrong shape or not numbers', async () => {
    const short = writeStoredBuild();
    const velocityFile = path.join(short, 'velocity.npy');
    writeFileSync(velocityFile, readFileSync(velocityFile).subarray(0, 1000));
    await expect(readVelocityBuild(short)).rejects.toMatchObject(damaged(velocityFile, 'ends after 1000 bytes'));
    expect(() => readVelocityMap(short, 'velocity')).toThrow(/velocity\.npy ends after 1000 bytes/);

    const missing = writeStoredBuild();
    rmSync(path.join(missing, 'modelled.npy'));
    await expect(readVelocityBuild(missing)).rejects.toMatchObject(
      damaged(path.join(missing, 'modelled.npy'), 'is missing'),
    );

    const reshaped = writeStoredBuild();
    const spreadFile = path.join(reshaped, 'spread.npy');
    writeFileSync(spreadFile, encodeNpy(new Float32Array(100), [1, 1, 10, 10]));
    await expect(readVelocityBuild(reshaped)).rejects.toMatchObject(
      damaged(spreadFile, 'holds an array of shape (1, 1, 10, 10), not (1, 1, 70, 70)'),
    );

    const notNumbers = writeStoredBuild();
    const baselineFile = path.join(notNumbers, 'baseline.npy');
    writeFileSync(baselineFile, encodeNpy(new Float32Array(70 * 70).fill(Number.NaN), [1, 1, 70, 70]));
    await expect(readVelocityBuild(notNumbers)).rejects.toMatchObject(damaged(baselineFile, 'not numbers'));
  });
});
