import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEGYIO_PYTHON } from '../../test/testdata';
import { segyioAvailable } from '../../test/integration/segyOracle';
import { chooseBackend } from '../ml/backends';
import { gaussian, seededRandom } from '../signal/random';
import { buildVelocityEnsemble } from './velocityEnsemble';
import { smallEnsembleConfig } from './smallEnsembles';
import { DEFAULT_PREDICTION, monotoneWithDepth, predictVelocity } from './velocityPrediction';
import { writeVelocitySegy } from './velocitySegy';

const scratch = mkdtempSync(path.join(tmpdir(), 'velocity-prediction-'));
const SIDE = 20;

/** A small ensemble (the prediction code does not depend on the size): 200 samples x 20 receivers x 3 shots. */
const params = smallEnsembleConfig({ samples: 200, receivers: 20, shots: 3, timeStride: 2, side: SIDE }).params;

beforeAll(async () => {
  await chooseBackend('wasm');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function randomShots(seed: number): Float32Array {
  const normal = gaussian(seededRandom(seed));
  return Float32Array.from({ length: 3 * 200 * 20 }, () => normal() * 1e-7);
}

describe('velocity prediction', () => {
  it('returns a bounded map and a spread over members x augmentations (flip + noisy copies)', () => {
    const model = buildVelocityEnsemble(params);
    const result = predictVelocity(model, params, randomShots(1));
    expect(result.velocity).toHaveLength(SIDE * SIDE);
    expect(result.maps).toBe(2 * (1 + 1 + DEFAULT_PREDICTION.noisyCopies));
    expect(Math.min(...result.velocity)).toBeGreaterThanOrEqual(params.min_velocity);
    expect(Math.max(...result.velocity)).toBeLessThanOrEqual(params.max_velocity);
    expect(Math.min(...result.uncertainty)).toBeGreaterThan(0);
    const plain = predictVelocity(model, params, randomShots(1), {
      ...DEFAULT_PREDICTION,
      flip: false,
      noisyCopies: 0,
    });
    expect(plain.maps).toBe(2);
    model.dispose();
  }, 120_000);

  it('makes velocities non-decreasing down every column when asked', () => {
    const map = Float32Array.from({ length: 9 }, (_, k) => [3000, 2000, 2500][Math.floor(k / 3)]! + (k % 3));
    const monotone = monotoneWithDepth(map, 3);
    for (let x = 0; x < 3; x++)
      expect([monotone[x], monotone[3 + x], monotone[6 + x]]).toEqual([3000 + x, 3000 + x, 3000 + x]);
  });

  it.skipIf(!segyioAvailable())(
    'writes the map as SEG-Y in depth that segyio reads back: one trace per column',
    async () => {
      const map = Float32Array.from({ length: SIDE * SIDE }, (_, k) => 1500 + 10 * Math.floor(k / SIDE) + (k % SIDE));
      const file = path.join(scratch, 'velocity.sgy');
      await writeVelocitySegy(file, { map, side: SIDE, spacingM: 10, title: 'VELOCITY' });
      const script = [
        'import segyio, sys, json',
        'with segyio.open(sys.argv[1], ignore_geometry=True) as f:',
        '    print(json.dumps({"traces": f.tracecount, "samples": len(f.samples), "interval": f.bin[segyio.BinField.Interval],',
        '        "column3": [float(v) for v in f.trace[3]], "cdpx": [f.header[i][segyio.TraceField.CDP_X] for i in range(f.tracecount)]}))',
      ].join('\n');
      const read = JSON.parse(execFileSync(SEGYIO_PYTHON, ['-c', script, file], { encoding: 'utf8' })) as {
        traces: number;
        samples: number;
        interval: number;
        column3: number[];
        cdpx: number[];
      };
      expect([read.traces, read.samples, read.interval]).toEqual([SIDE, SIDE, 10_000]);
      expect(read.column3).toEqual(Array.from({ length: SIDE }, (_, z) => map[z * SIDE + 3]));
      expect(read.cdpx.slice(0, 3)).toEqual([0, 10, 20]);
    },
  );
});
