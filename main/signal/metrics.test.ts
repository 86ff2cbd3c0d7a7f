import { describe, expect, it } from 'vitest';
import { gaussian, seededRandom } from './random';
import {
  localCoherence,
  meanSquaredError,
  qualityReport,
  signalLeakage,
  signalToNoiseDb,
  snrGainDb,
  structuralSimilarity,
  traceCoherence,
  type SectionShape,
} from './metrics';

/** A smooth, structured test section: a few dipping sinusoidal events. */
function smoothSection(shape: SectionShape): Float32Array {
  const section = new Float32Array(shape.traces * shape.samples);
  for (let t = 0; t < shape.traces; t++) {
    for (let s = 0; s < shape.samples; s++) {
      section[t * shape.samples + s] = Math.sin((s + 0.4 * t) / 3) + 0.5 * Math.cos((s - 0.7 * t) / 5);
    }
  }
  return section;
}

function withNoise(section: Float32Array, std: number, seed: number): Float32Array {
  const normal = gaussian(seededRandom(seed));
  return section.map((v) => v + std * normal());
}

describe('meanSquaredError', () => {
  it('is the mean of squared differences', () => {
    expect(meanSquaredError(new Float32Array([1, 2, 3, 4]), new Float32Array([1, 0, 3, 7]))).toBe((4 + 9) / 4);
  });

  it('refuses sections of different sizes with a clear message', () => {
    expect(() => meanSquaredError(new Float32Array(3), new Float32Array(4))).toThrow('3 and 4 samples');
  });
});

describe('signalToNoiseDb', () => {
  it('is exactly 10 log10 of the energy ratio', () => {
    // Signal energy 3^2 + 4^2 = 25, error energy 0.5^2 * 2 = 0.5 -> 10 log10(50) dB.
    const clean = new Float32Array([3, 4]);
    const processed = new Float32Array([3.5, 3.5]);
    expect(signalToNoiseDb(clean, processed)).toBeCloseTo(10 * Math.log10(50), 12);
  });

  it('gives 20 dB when the error has 1/100 of the signal energy', () => {
    const clean = new Float32Array([10, 0, 0, 0]);
    const processed = new Float32Array([10, 1, 0, 0]);
    expect(signalToNoiseDb(clean, processed)).toBeCloseTo(20, 12);
  });

  it('is +Infinity for identical inputs, zeros included, and -Infinity for noise over a zero reference', () => {
    expect(signalToNoiseDb(new Float32Array([1, 2]), new Float32Array([1, 2]))).toBe(Infinity);
    expect(signalToNoiseDb(new Float32Array(2), new Float32Array(2))).toBe(Infinity);
    expect(signalToNoiseDb(new Float32Array(2), new Float32Array([0, 1]))).toBe(-Infinity);
  });
});

describe('snrGainDb', () => {
  it('is the SNR after minus the SNR before', () => {
    const clean = new Float32Array([10, 0, 0, 0]);
    const noisy = new Float32Array([10, 1, 0, 0]); // 20 dB
    const processed = new Float32Array([10, 0.5, 0, 0]); // error energy 4 times smaller
    expect(snrGainDb(clean, noisy, processed)).toBeCloseTo(10 * Math.log10(4), 10);
  });

  it('is 0, not NaN, when clean data stays clean', () => {
    const clean = new Float32Array([1, 2]);
    expect(snrGainDb(clean, clean, clean)).toBe(0);
  });
});

describe('structuralSimilarity', () => {
  const shape = { traces: 24, samples: 40 };
  const clean = smoothSection(shape);

  it('is 1 for identical sections, including sections narrower than the window', () => {
    expect(structuralSimilarity(clean, clean, shape)).toBeCloseTo(1, 10);
    const oneTrace = clean.subarray(0, 40);
    expect(structuralSimilarity(oneTrace, oneTrace, { traces: 1, samples: 40 })).toBeCloseTo(1, 10);
    const constant = new Float32Array(6).fill(2);
    expect(structuralSimilarity(constant, constant, { traces: 2, samples: 3 })).toBeCloseTo(1, 10);
  });

  it('decreases as noise grows', () => {
    const values = [0.05, 0.2, 0.8].map((std) => structuralSimilarity(clean, withNoise(clean, std, 7), shape));
    expect(values[0]).toBeLessThan(1);
    expect(values[1]).toBeLessThan(values[0]!);
    expect(values[2]).toBeLessThan(values[1]!);
    expect(values[2]).toBeGreaterThan(0);
  });

  it('matches the formula computed by hand for a 1 x 1 section', () => {
    // One sample: the means are the values and the variances are zero, so SSIM = (2xy + C1) / (x^2 + y^2 + C1).
    // A constant reference has no range, so L is the range of the processed section: 0 as well, hence L = 1.
    const c1 = 0.01 ** 2;
    const expected = (2 * 2 * 3 + c1) / (4 + 9 + c1);
    expect(structuralSimilarity(new Float32Array([2]), new Float32Array([3]), { traces: 1, samples: 1 })).toBeCloseTo(
      expected,
      12,
    );
  });
});

describe('traceCoherence', () => {
  const shape = { traces: 5, samples: 30 };
  const clean = smoothSection(shape);

  it('is 1 for a positively scaled copy and -1 for a polarity reversal', () => {
    expect(
      traceCoherence(
        clean,
        clean.map((v) => 3 * v),
        shape,
      ),
    ).toBeCloseTo(1, 6);
    expect(
      traceCoherence(
        clean,
        clean.map((v) => -v),
        shape,
      ),
    ).toBeCloseTo(-1, 6);
  });

  it('is the mean of per-trace correlations computed by hand', () => {
    // Trace 0: identical (1). Trace 1: [1, 0] against [0, 1] (0). Trace 2: both dead (skipped).
    const a = new Float32Array([1, 2, 1, 0, 0, 0]);
    const b = new Float32Array([1, 2, 0, 1, 0, 0]);
    expect(traceCoherence(a, b, { traces: 3, samples: 2 })).toBeCloseTo(0.5, 12);
  });

  it('scores 0 for a trace zeroed in only one section', () => {
    expect(traceCoherence(new Float32Array([1, 2]), new Float32Array(2), { traces: 1, samples: 2 })).toBe(0);
  });
});

describe('localCoherence', () => {
  const shape = { traces: 16, samples: 50 };
  const signal = smoothSection(shape);
  const window = { traces: 5, samples: 11 };

  it('is 1 for a scaled copy and -1 for a reversed one', () => {
    expect(
      localCoherence(
        signal,
        signal.map((v) => 0.3 * v),
        shape,
        window,
      ),
    ).toBeCloseTo(1, 6);
    expect(
      localCoherence(
        signal,
        signal.map((v) => -v),
        shape,
        window,
      ),
    ).toBeCloseTo(-1, 6);
  });

  it('is near 0 for independent noise and rises when signal leaks into the removed noise', () => {
    const noise = withNoise(new Float32Array(signal.length), 1, 3);
    const clean = Math.abs(localCoherence(noise, signal, shape, window));
    const leaky = noise.map((v, i) => v + 0.5 * signal[i]!);
    expect(clean).toBeLessThan(0.1);
    expect(localCoherence(leaky, signal, shape, window)).toBeGreaterThan(0.3);
  });

  it('signalLeakage: near 0 when only the noise was removed, near 1 when half the signal was', () => {
    const noise = withNoise(new Float32Array(signal.length), 1, 5);
    const noisy = signal.map((v, i) => v + noise[i]!);
    expect(Math.abs(signalLeakage(noisy, signal, shape))).toBeLessThan(0.1);
    expect(
      signalLeakage(
        signal,
        signal.map((v) => 0.5 * v),
        shape,
      ),
    ).toBeCloseTo(1, 6);
  });

  it('signalLeakage of a partial-strength result: measured against the full-strength result, not against the noise kept', () => {
    const noise = withNoise(new Float32Array(signal.length), 1, 6);
    const noisy = signal.map((v, i) => v + noise[i]!);
    const halfStrength = signal.map((v, i) => v + 0.5 * noise[i]!); // half the noise removed, the signal intact
    expect(signalLeakage(noisy, halfStrength, shape)).toBeGreaterThan(0.3); // the kept noise correlates with the removed
    expect(Math.abs(signalLeakage(noisy, halfStrength, shape, signal))).toBeLessThan(0.1);
  });

  it('matches a hand computation with one window covering the section, and skips empty windows', () => {
    // Window larger than the section shrinks to it: (1*2 + 2*1) / sqrt(5 * 5) = 0.8.
    const a = new Float32Array([1, 2]);
    const b = new Float32Array([2, 1]);
    expect(localCoherence(a, b, { traces: 1, samples: 2 }, { traces: 4, samples: 4 })).toBeCloseTo(0.8, 12);
    expect(localCoherence(new Float32Array(2), b, { traces: 1, samples: 2 }, window)).toBe(0);
  });
});

describe('qualityReport', () => {
  it('gathers every metric', () => {
    const shape = { traces: 8, samples: 20 };
    const clean = smoothSection(shape);
    const noisy = withNoise(clean, 0.3, 11);
    const processed = withNoise(clean, 0.1, 12);
    const report = qualityReport(clean, noisy, processed, shape);
    expect(report.snrGainDb).toBeGreaterThan(5);
    expect(report.ssim).toBeGreaterThan(0);
    expect(report.ssim).toBeLessThan(1);
    expect(report.coherence).toBeGreaterThan(0.9);
    expect(report.mse).toBeCloseTo(meanSquaredError(clean, processed), 12);
  });
});
