import { describe, expect, it } from 'vitest';
import { seededRandom } from '../signal/random';
import { bandpass } from './bandpass';
import { confinementTo, confineToInput, liveWindows, lowBands, MUTE_RUN } from './confineToInput';
import { linearEventsSection } from './testSections';

const DT = 0.004;
const shape = { traces: 24, samples: 500 };
const DEAD = [8, 9, 15];
const muteEnd = (t: number): number => 40 + 2 * t;
const PADDING = 20;

/** Dipping events (25 Hz Ricker), a sloping top mute, zero padding at the end, three dead traces. */
function mutedSection(): { section: Float32Array; live: Uint8Array } {
  const section = linearEventsSection(
    shape,
    [
      { firstSample: 120, dip: 1, amplitude: 1000 },
      { firstSample: 300, dip: -2, amplitude: 700 },
      { firstSample: 60, dip: 3, amplitude: 500 },
    ],
    0.1,
  );
  const random = seededRandom(7);
  for (let i = 0; i < section.length; i++) section[i]! += 50 * (random() - 0.5);
  const live = new Uint8Array(shape.traces).fill(1);
  for (let t = 0; t < shape.traces; t++) {
    const trace = section.subarray(t * shape.samples, (t + 1) * shape.samples);
    trace.fill(0, 0, muteEnd(t));
    trace.fill(0, shape.samples - PADDING);
    if (DEAD.includes(t)) {
      trace.fill(0);
      live[t] = 0;
    }
  }
  return { section, live };
}

/** What a model trained on other data may do: add a per-trace stripe at 2 Hz over the whole trace, and white noise. */
function withInventedEnergy(section: Float32Array): Float32Array {
  const random = seededRandom(11);
  return Float32Array.from(section, (v, i) => {
    const t = Math.floor(i / shape.samples);
    const s = i % shape.samples;
    return v + 400 * Math.sin(2 * Math.PI * 2 * s * DT + t) + 30 * (random() - 0.5);
  });
}

/** Energy below 9 Hz (where the capped bands sum to one) of each half-second window of trace t, measured apart. */
function lowEnergies(values: Float32Array, t: number): number[] {
  const low = bandpass(values, shape, { corners: [0, 0, 9, 15], dt: DT });
  const window = Math.round(0.5 / DT);
  const energies: number[] = [];
  for (let from = 0; from + window <= shape.samples; from += window) {
    let sum = 0;
    for (let s = from; s < from + window; s++) sum += low[t * shape.samples + s]! ** 2;
    energies.push(sum);
  }
  return energies;
}

const traceOf = (values: Float32Array, t: number): Float32Array =>
  values.subarray(t * shape.samples, (t + 1) * shape.samples);

describe('lowBands', () => {
  it('splits the band below the top into octaves whose gains sum to one', () => {
    expect(lowBands(12)).toEqual([
      [0, 0, 2.25, 3.75],
      [2.25, 3.75, 4.5, 7.5],
      [4.5, 7.5, 9, 15],
    ]);
  });
});

describe('liveWindows', () => {
  it('gives dead traces the window between their live neighbours', () => {
    const { section, live } = mutedSection();
    const windows = liveWindows(section, shape, live)!;
    expect(windows[7]).toEqual({ start: muteEnd(7), end: shape.samples - PADDING });
    // Traces 8 and 9 lie a third and two thirds of the way from trace 7 to trace 10.
    expect(windows[8]!.start).toBe(Math.round(muteEnd(7) + (muteEnd(10) - muteEnd(7)) / 3));
    expect(windows[9]!.start).toBe(Math.round(muteEnd(7) + (2 * (muteEnd(10) - muteEnd(7))) / 3));
    expect(windows[15]!.start).toBe(muteEnd(15));
  });

  it('is null when no trace is live', () => {
    expect(liveWindows(new Float32Array(20), { traces: 2, samples: 10 }, new Uint8Array(2))).toBeNull();
  });
});

describe('confineToInput, denoising', () => {
  const { section, live } = mutedSection();
  const confined = confineToInput(section, withInventedEnergy(section), shape, live, {
    task: 'denoise',
    sampleIntervalS: DT,
  });

  it('keeps every exactly-zero sample of the mutes and the padding zero, and dead traces dead', () => {
    for (let i = 0; i < section.length; i++) if (section[i] === 0) expect(confined[i]).toBe(0);
    for (const t of DEAD) expect(traceOf(confined, t).every((v) => v === 0)).toBe(true);
  });

  // The stripe holds about 10^4 times the input's energy below the band; the cap leaves the output within the input's
  // own level there: no window above 1.5 times the input's, and each trace as a whole within 10 % of it.
  it('leaves no more energy below the input band than the input holds, trace by trace and window by window', () => {
    for (let t = 0; t < shape.traces; t++) {
      if (!live[t]) continue;
      const input = lowEnergies(section, t);
      const output = lowEnergies(confined, t);
      output.forEach((energy, k) => expect(energy).toBeLessThanOrEqual(1.5 * input[k]!));
      expect(output.reduce((a, b) => a + b)).toBeLessThanOrEqual(1.1 * input.reduce((a, b) => a + b));
    }
  });

  it('changes nothing in an output that adds no energy', () => {
    const gentle = Float32Array.from(section, (v) => 0.8 * v);
    const result = confineToInput(section, gentle, shape, live, { task: 'denoise', sampleIntervalS: DT });
    const windows = liveWindows(section, shape, live)!;
    for (let t = 0; t < shape.traces; t++) {
      if (!live[t]) continue;
      const { start, end } = windows[t]!;
      expect(traceOf(result, t).subarray(start, end)).toEqual(traceOf(gentle, t).subarray(start, end));
    }
  });

  it('reconstructs a lone zero inside the window, and keeps a run of zeros muted', () => {
    const input = Float32Array.from(section);
    const t = 3;
    const lone = t * shape.samples + 200;
    const run = t * shape.samples + 300;
    input[lone] = 0;
    input.fill(0, run, run + MUTE_RUN);
    const output = Float32Array.from(input, (v) => v + 5);
    const result = confineToInput(input, output, shape, live, { task: 'denoise', sampleIntervalS: DT });
    expect(result[lone]).not.toBe(0);
    expect(Array.from(result.subarray(run, run + MUTE_RUN))).toEqual(new Array(MUTE_RUN).fill(0));
  });
});

describe('confineToInput, interpolation', () => {
  const { section, live } = mutedSection();
  /** A fill that copies the previous trace, plus the invented stripe, everywhere. */
  const filled = withInventedEnergy(section);
  for (const t of DEAD) filled.set(traceOf(filled, t - 1), t * shape.samples);
  const confined = confineToInput(section, filled, shape, live, { task: 'interpolate', sampleIntervalS: DT });
  const windows = liveWindows(section, shape, live)!;

  it('keeps live traces exactly', () => {
    for (let t = 0; t < shape.traces; t++) if (live[t]) expect(traceOf(confined, t)).toEqual(traceOf(section, t));
  });

  it('writes filled traces only inside the window between their neighbours', () => {
    for (const t of DEAD) {
      const trace = traceOf(confined, t);
      const { start, end } = windows[t]!;
      expect(trace.subarray(0, start).every((v) => v === 0)).toBe(true);
      expect(trace.subarray(end).every((v) => v === 0)).toBe(true);
      expect(trace.subarray(start, end).some((v) => v !== 0)).toBe(true);
    }
  });

  it('leaves filled traces no more low-frequency energy than their neighbours hold', () => {
    for (const t of DEAD) {
      const before = lowEnergies(section, t === 15 ? 14 : 7);
      const after = lowEnergies(section, t === 15 ? 16 : 10);
      lowEnergies(confined, t).forEach((energy, k) =>
        expect(energy).toBeLessThanOrEqual(1.5 * ((before[k]! + after[k]!) / 2)),
      );
    }
  });
});

/**
 * The band cap written plainly, the reference of the fast one (one forward transform per trace, the energies from a
 * shorter inverse, the full-rate parts only of the bands that change): each band's part by bandpass.ts at the full
 * rate, window energies from every STEP-th sample of it (the fast one's decimation), every band subtracted.
 */
function referenceConfine(
  section: Float32Array,
  output: Float32Array,
  live: Uint8Array,
  task: 'denoise' | 'interpolate',
) {
  const one = { traces: 1, samples: shape.samples };
  const STEP = 4; // 2^floor(log2(1 / (4 dt 15 Hz))) at 4 ms
  const length = Math.round(0.5 / DT);
  const hop = length >> 1;
  const count = Math.ceil(shape.samples / hop) + 1;
  const weight = (k: number, s: number): number => {
    const offset = s - (k - 1) * hop;
    return offset < 0 || offset >= length ? 0 : Math.sin((Math.PI * (offset + 0.5)) / length) ** 2;
  };
  const partsOf = (trace: Float32Array): Float32Array[] =>
    lowBands(12).map((corners) => bandpass(trace, one, { corners, dt: DT }));
  const energiesOf = (parts: Float32Array[]): number[][] =>
    parts.map((part) =>
      Array.from({ length: count }, (_, k) => {
        let energy = 0;
        for (let s = 0; s < shape.samples; s += STEP) energy += weight(k, s) * part[s]! ** 2;
        return energy;
      }),
    );
  const own = new Map<number, number[][]>();
  for (let t = 0; t < shape.traces; t++) if (live[t]) own.set(t, energiesOf(partsOf(traceOf(section, t))));
  const referenceOf = (t: number): number[][] => {
    if (live[t]) return own.get(t)!;
    const liveTraces = [...own.keys()];
    const sides = [liveTraces.filter((n) => n < t).at(-1), liveTraces.find((n) => n > t)].flatMap((n) =>
      n === undefined ? [] : [own.get(n)!],
    );
    return sides[0]!.map((band, b) =>
      band.map((_, k) => sides.reduce((sum, side) => sum + side[b]![k]!, 0) / sides.length),
    );
  };
  const windows = liveWindows(section, shape, live)!;
  const result = Float32Array.from(output);
  const changes = (t: number): boolean => (task === 'denoise' ? live[t] === 1 : live[t] === 0);
  for (let t = 0; t < shape.traces; t++) if (!changes(t)) traceOf(result, t).set(traceOf(section, t));
  const zeroMutes = (traces: number[]): void => {
    for (const t of traces) {
      const trace = traceOf(result, t);
      trace.fill(0, 0, windows[t]!.start);
      trace.fill(0, windows[t]!.end);
      if (!live[t]) continue;
      const input = traceOf(section, t);
      for (let s = windows[t]!.start; s < windows[t]!.end; s++) {
        let run = 0;
        while (s + run < windows[t]!.end && input[s + run] === 0) run++;
        if (run >= MUTE_RUN) trace.fill(0, s, s + run);
        s += run;
      }
    }
  };
  const cap = (t: number): boolean => {
    const trace = traceOf(result, t);
    const parts = partsOf(trace);
    const reference = referenceOf(t);
    const gains = energiesOf(parts).map((band, b) =>
      band.map((energy, k) => (energy > reference[b]![k]! ? Math.sqrt(reference[b]![k]! / energy) : 1)),
    );
    if (gains.flat().every((g) => g >= 0.97)) return false;
    parts.forEach((part, b) => {
      for (let s = 0; s < shape.samples; s++) {
        const gain = Math.min(...gains[b]!.filter((_, k) => weight(k, s) > 0));
        trace[s]! -= (1 - gain) * part[s]!;
      }
    });
    return true;
  };
  let pending = [...live.keys()].filter(changes);
  for (let pass = 0; pass < 6 && pending.length > 0; pass++) {
    zeroMutes(pending);
    pending = pending.filter(cap);
  }
  zeroMutes(pending);
  return result;
}

describe('confineToInput against the plain reference', () => {
  const { section, live } = mutedSection();
  const rms = Math.sqrt(section.reduce((sum, v) => sum + v * v, 0) / section.length);

  it.each(['denoise', 'interpolate'] as const)('gives the same %s result within float tolerance', (task) => {
    const output = withInventedEnergy(section);
    for (const t of DEAD) output.set(traceOf(output, t - 1), t * shape.samples);
    const fast = confineToInput(section, output, shape, live, { task, sampleIntervalS: DT });
    const reference = referenceConfine(section, output, live, task);
    // The cap did change the output (the reference is not compared with its own input).
    expect(reference.some((v, i) => Math.abs(v - output[i]!) > rms)).toBe(true);
    fast.forEach((v, i) => expect(Math.abs(v - reference[i]!)).toBeLessThan(1e-4 * rms));
  });
});

describe('confinementTo', () => {
  it('confines several outputs of one input as confineToInput does each', () => {
    const { section, live } = mutedSection();
    const options = { task: 'denoise', sampleIntervalS: DT } as const;
    const confine = confinementTo(section, shape, live, options);
    for (const output of [withInventedEnergy(section), Float32Array.from(section, (v) => 2 * v)]) {
      expect(confine(output)).toEqual(confineToInput(section, output, shape, live, options));
    }
  });
});

describe('confinementTo, a range of traces', () => {
  // Ranges cut through the dead traces 8, 9 and 15, so that their windows and references come from outside the range.
  const RANGES = [
    { from: 0, to: 9 },
    { from: 9, to: 15 },
    { from: 15, to: 16 },
    { from: 16, to: shape.traces },
  ];

  it.each(['denoise', 'interpolate'] as const)('joins into the whole section %s result, bit for bit', (task) => {
    const { section, live } = mutedSection();
    const output = withInventedEnergy(section);
    const options = { task, sampleIntervalS: DT };
    const whole = confineToInput(section, output, shape, live, options);
    const joined = new Float32Array(whole.length);
    for (const range of RANGES) {
      const part = output.slice(range.from * shape.samples, range.to * shape.samples);
      joined.set(confinementTo(section, shape, live, options, range)(part), range.from * shape.samples);
    }
    expect(joined).toEqual(whole);
  });
});
