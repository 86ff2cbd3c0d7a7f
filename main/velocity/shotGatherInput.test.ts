import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SEGYIO_PYTHON } from '../../test/testdata';
import { segyioAvailable } from '../../test/integration/segyOracle';
import { encodeNewSegy, openSegy, openSegyBuffer } from '../segy';
import { rickerAt } from '../signal/ricker';
import { deriveSeed } from '../signal/random';
import { velocityModel } from '../synth/velocityModels';
import { modelOpenFwiShots, OPENFWI, OPENFWI_SOURCE_DELAY_S } from './openfwiLayout';
import { planShotInput, resampleTrace, type ShotTraceGeometry } from './shotGatherInput';
import { readShotGatherInput } from './shotGatherReader';
import { SHOT_LINE, shotLinePoint, writeShotGatherSegy } from './shotGatherSegy';

const scratch = mkdtempSync(path.join(tmpdir(), 'promethium-shot-input-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A line along x: shots at `sources` (m), receivers at `receivers` (m), `offLine` metres north for every receiver. */
function lineGeometry(sources: number[], receivers: number[], offLine = 0): ShotTraceGeometry[] {
  return sources.flatMap((s) =>
    receivers.map((r) => ({ sourceX: 1000 + s, sourceY: 2000, receiverX: 1000 + r, receiverY: 2000 + offLine })),
  );
}
/** The network's input read from a SEG-Y held in memory, its traces placed `sourceDelayS` later. */
async function readShots(bytes: Uint8Array, sourceDelayS: number): Promise<Float32Array> {
  const segy = await openSegyBuffer(bytes);
  try {
    return (await readShotGatherInput(segy, sourceDelayS)).shots;
  } finally {
    await segy.close();
  }
}
const EVERY_10_M = Array.from({ length: 70 }, (_, k) => 10 * k);
const NETWORK_SOURCES = [0, 170, 340, 520, 690];

describe('shot gathers into the network layout', () => {
  it.skipIf(!segyioAvailable())(
    'reads modelled shots written as a pre-stack SEG-Y back into the tensor they came from (segyio as oracle)',
    async () => {
      const model = velocityModel('flat', deriveSeed(3, 'flat', 0), OPENFWI.cells, OPENFWI.cells);
      const shots = modelOpenFwiShots(model);
      const file = path.join(scratch, 'shots.sgy');
      await writeShotGatherSegy(file, shots, 'flat family, seed 3');

      const script = [
        'import segyio, sys, json',
        'F = segyio.TraceField',
        'with segyio.open(sys.argv[1], ignore_geometry=True) as f:',
        '    h = lambda key: [int(x[key]) for x in f.header]',
        '    print(json.dumps({"traces": f.tracecount, "dt": int(f.bin[segyio.BinField.Interval]),',
        '        "record": h(F.FieldRecord), "channel": h(F.TraceNumber), "scalar": h(F.SourceGroupScalar),',
        '        "sx": h(F.SourceX), "sy": h(F.SourceY), "gx": h(F.GroupX), "gy": h(F.GroupY),',
        '        "trace123": [float(v) for v in f.trace[123]]}))',
      ].join('\n');
      const read = JSON.parse(execFileSync(SEGYIO_PYTHON, ['-c', script, file], { encoding: 'utf8' })) as Record<
        string,
        number[]
      > & { traces: number; dt: number };
      expect([read.traces, read.dt]).toEqual([350, 1000]);
      // Trace 123: shot 2 (source at 170 m), channel 54 (receiver at 530 m).
      expect([read.record![123], read.channel![123], read.scalar![123]]).toEqual([2, 54, -100]);
      const [source, receiver] = [shotLinePoint(170), shotLinePoint(530)];
      expect([read.sx![123]! / 100, read.sy![123]! / 100]).toEqual([
        Math.round(source.x * 100) / 100,
        Math.round(source.y * 100) / 100,
      ]);
      expect([read.gx![123]! / 100, read.gy![123]! / 100]).toEqual([
        Math.round(receiver.x * 100) / 100,
        Math.round(receiver.y * 100) / 100,
      ]);
      const expectedTrace = Array.from({ length: 1000 }, (_, n) => shots[1 * 70_000 + n * 70 + 53]!);
      expect(read.trace123).toEqual(expectedTrace);

      const segy = await openSegy(file);
      try {
        const input = await readShotGatherInput(segy, 0);
        expect(input.notes).toEqual([]);
        expect(input.plan.shots.map((s) => s.sourceAlongM)).toEqual(NETWORK_SOURCES.map((x) => expect.closeTo(x, 2)));
        expect(input.plan.line.originX).toBeCloseTo(SHOT_LINE.originX, 1);
        expect(input.plan.line.originY).toBeCloseTo(SHOT_LINE.originY, 1);
        expect((Math.atan2(input.plan.line.directionX, input.plan.line.directionY) * 180) / Math.PI).toBeCloseTo(30, 3);
        // Centimetre coordinates put receivers up to 7 mm off their 10 m positions: linear interpolation over
        // that moves each value by under 0.1 % of the largest sample.
        let largest = 0;
        let worst = 0;
        shots.forEach((value, k) => {
          largest = Math.max(largest, Math.abs(value));
          worst = Math.max(worst, Math.abs(value - input.shots[k]!));
        });
        expect(worst / largest).toBeLessThan(1e-3);
      } finally {
        await segy.close();
      }
    },
    240_000,
  );

  it('refuses geometries the network cannot take, saying why', () => {
    const refusal = (traces: ShotTraceGeometry[]) => {
      try {
        planShotInput(traces);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal([])).toMatch(/^the survey has no live traces; the network knows one layout: a 2D line 700 m long/);
    expect(refusal(lineGeometry([340], EVERY_10_M))).toMatch(/the survey has 1 shot \(one source position\)/);
    const noCoordinates = lineGeometry(NETWORK_SOURCES, EVERY_10_M).map(() => ({
      sourceX: 0,
      sourceY: 0,
      receiverX: 0,
      receiverY: 0,
    }));
    expect(refusal(noCoordinates)).toMatch(/every source and receiver the same position \(bytes 73-88\)/);
    const crooked = lineGeometry(NETWORK_SOURCES, EVERY_10_M).map((t, k) =>
      k === 100 ? { ...t, receiverY: t.receiverY + 40 } : t,
    );
    expect(refusal(crooked)).toMatch(/not along a straight line: trace 101's receiver lies \d+ m off the line/);
    expect(refusal(lineGeometry([0, 170, 250, 520, 690], EVERY_10_M))).toMatch(
      /no shot within 10 m of 340 m along the line \(network source 3 of 5\); the nearest of the survey's 5 shots is at 250 m/,
    );
    expect(refusal(lineGeometry([0, 100, 200, 300, 400], EVERY_10_M.slice(0, 41)))).toMatch(
      /the receivers span 400 m of line, less than the network's 690 m/,
    );
    const gap = EVERY_10_M.filter((x) => x < 300 || x > 350);
    expect(refusal(lineGeometry(NETWORK_SOURCES, gap))).toMatch(/has no receiver between 290 m and 360 m/);
    expect(refusal(lineGeometry(NETWORK_SOURCES, EVERY_10_M))).toBe('accepted');
  });

  it('uses the nearest of more shots on a longer line and says what it left out', () => {
    const sources = [0, 85, 170, 255, 340, 425, 520, 605, 690, 775];
    const receivers = Array.from({ length: 100 }, (_, k) => 10 * k);
    const plan = planShotInput(lineGeometry(sources, receivers));
    expect(plan.shots.map((s) => s.sourceAlongM)).toEqual(NETWORK_SOURCES);
    expect(plan.notes).toEqual([
      'receivers beyond 690 m along the line (up to 990 m) are left out',
      "5 of the survey's 10 shots are not used",
    ]);
  });

  it('resamples time to 1 ms with an anti-alias filter, from finer or coarser sampling and a delay', () => {
    const ricker = (tS: number) => rickerAt((tS - 0.2) * 1000, 15);
    const expected = Float32Array.from({ length: 1000 }, (_, n) => ricker(n * 1e-3));
    const sampled = (intervalS: number, firstS: number, samples: number, extra = (_t: number) => 0) => {
      const trace = Float32Array.from(
        { length: samples },
        (_, n) => ricker(firstS + n * intervalS) + extra(firstS + n * intervalS),
      );
      return resampleTrace(trace, { sampleIntervalS: intervalS, firstSampleS: firstS, samples });
    };
    const worstError = (out: Float32Array) => Math.max(...out.map((v, n) => Math.abs(v - expected[n]!)));
    expect(worstError(sampled(1e-3, 0, 1000))).toBeLessThan(1e-6);
    expect(worstError(sampled(0.25e-3, 0, 4000))).toBeLessThan(0.01);
    expect(worstError(sampled(2e-3, 0, 500))).toBeLessThan(0.01);
    // 700 Hz at 0.25 ms would alias to 300 Hz at 1 ms: the anti-alias filter takes it out (away from the record's
    // ends, where the filter's transients of a tone that starts at full amplitude remain).
    const tone = (t: number) => 0.5 * Math.sin(2 * Math.PI * 700 * t);
    expect(
      worstError(sampled(0.25e-3, 0, 4000, tone).map((v, n) => (n < 50 || n > 950 ? expected[n]! : v))),
    ).toBeLessThan(0.01);
    // A record starting at 100 ms: the first 100 samples of the network's axis are zero.
    const delayed = sampled(1e-3, 0.1, 900);
    expect(Math.max(...delayed.subarray(0, 99).map(Math.abs))).toBe(0);
    expect(worstError(delayed.map((v, n) => (n < 100 ? expected[n]! : v)))).toBeLessThan(1e-6);
  });

  it("places shots whose time zero is at the wavelet's peak on the network's axis with a source delay", async () => {
    const model = velocityModel('flat', deriveSeed(5, 'flat', 0), OPENFWI.cells, OPENFWI.cells);
    const file = path.join(scratch, 'peak-zero.sgy');
    await writeShotGatherSegy(file, modelOpenFwiShots(model), 'flat family, seed 5');
    const original = await readShots(await readFile(file), 0);
    // The same samples with time zero at the wavelet's peak: every trace's delay (bytes 109-110) is -67 ms.
    const peakMs = Math.round(OPENFWI_SOURCE_DELAY_S * 1000);
    const peakZero = await readFile(file);
    const traceBytes = 240 + 4 * OPENFWI.samples;
    for (let trace = 0; trace < 5 * OPENFWI.cells; trace++) {
      peakZero.writeInt16BE(-peakMs, 3600 + trace * traceBytes + 108);
    }
    const withoutDelay = await readShots(peakZero, 0);
    const withDelay = await readShots(peakZero, peakMs / 1000);
    const largest = original.reduce((high, v) => Math.max(high, Math.abs(v)), 0);
    const worstFrom = (shots: Float32Array) =>
      shots.reduce((worst, v, k) => Math.max(worst, Math.abs(v - original[k]!)), 0) / largest;
    expect(worstFrom(withDelay)).toBeLessThan(1e-6);
    // Without the delay everything arrives 67 ms early.
    expect(worstFrom(withoutDelay)).toBeGreaterThan(0.1);
  });

  it('refuses a file with geographic coordinates and a single shot, reading the headers', async () => {
    const traces = 70;
    const header = (units: number, sources: number[]) => ({
      coordinateScalar: 1,
      coordinateUnits: units,
      sourceX: Int32Array.from({ length: traces }, (_, t) => sources[t % sources.length]!),
      sourceY: 0,
      groupX: Int32Array.from({ length: traces }, (_, t) => t * 10),
      groupY: 0,
    });
    const file = async (units: number, sources: number[]) =>
      openSegyBuffer(
        encodeNewSegy({
          samples: new Float32Array(traces * 1000).fill(1),
          traceCount: traces,
          samplesPerTrace: 1000,
          sampleIntervalUs: 1000,
          traceHeaders: header(units, sources),
        }),
      );
    await expect(readShotGatherInput(await file(2, [0]), 0)).rejects.toThrow(
      /trace 1 gives its coordinates in geographic units \(bytes 89-90\)/,
    );
    await expect(readShotGatherInput(await file(1, [340]), 0)).rejects.toThrow(/the survey has 1 shot/);
  });
});
