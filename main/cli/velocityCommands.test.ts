import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OPENFWI_DATA_SIZE, OPENFWI_MODEL_SIZE } from '../velocity/openfwiLayout';
import { encodeNpy } from '../files/npy';
import { openFwiSamples } from './velocityCommands';

const scratch = mkdtempSync(path.join(tmpdir(), 'velocity-commands-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** An OpenFWI pair of `count` samples whose values are sample index + position / size, so each read is checkable. */
function writePair(dir: string, file: number, count: number, withModels = true): void {
  mkdirSync(dir, { recursive: true });
  const values = (size: number) =>
    Float32Array.from({ length: count * size }, (_, k) => Math.floor(k / size) + file * 10);
  writeFileSync(path.join(dir, `data${file}.npy`), encodeNpy(values(OPENFWI_DATA_SIZE), [count, 5, 1000, 70]));
  if (withModels) {
    writeFileSync(path.join(dir, `model${file}.npy`), encodeNpy(values(OPENFWI_MODEL_SIZE), [count, 1, 70, 70]));
  }
}

describe('OpenFWI samples for the velocity commands', () => {
  it('reads the samples of every data*.npy of a folder in order, each with its true map', () => {
    const dir = path.join(scratch, 'pairs');
    writePair(dir, 1, 2);
    writePair(dir, 2, 1);
    const samples = openFwiSamples([dir]);
    expect(samples.count).toBe(3);
    expect(samples.read(1).shots[0]).toBe(11);
    expect(samples.read(2).velocity[0]).toBe(20);
    expect(() => samples.read(3)).toThrow(/sample 3: the data hold 3/);
    samples.close();
  });

  it('predicts without true maps but refuses to train without them, and names a wrong shape', () => {
    const dir = path.join(scratch, 'shots-only');
    writePair(dir, 1, 1, false);
    const samples = openFwiSamples([dir]);
    expect(samples.readTruth(0)).toBeNull();
    expect(() => samples.read(0)).toThrow(/needs the model\*\.npy beside each data\*\.npy/);
    samples.close();
    const wrong = path.join(scratch, 'wrong', 'data1.npy');
    mkdirSync(path.dirname(wrong));
    writeFileSync(wrong, encodeNpy(new Float32Array(10), [1, 10]));
    expect(() => openFwiSamples([wrong])).toThrow(/shape \(1, 10\), OpenFWI data are \[n, 5, 1000, 70\]/);
  });
});
