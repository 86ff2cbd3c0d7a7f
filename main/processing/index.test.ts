import { describe, expect, it } from 'vitest';
import { randomTraceMask } from '../signal/corruption';
import { interpolateTracesLinear } from '../signal/traceInterpolation';
import { denoiseMethods, interpolationMethods, ProcessingInputError } from './index';
import { linearEventsSection } from './testSections';

const shape = { traces: 24, samples: 128 };
const section = linearEventsSection(shape, [{ firstSample: 50, dip: 1, amplitude: 1 }]);
const mask = randomTraceMask(shape.traces, 0.3, 2);

describe('classical method registry', () => {
  it.each(Object.entries(denoiseMethods))('denoise method %s runs with its defaults', (_name, denoise) => {
    const result = denoise(section, shape);
    expect(result).toHaveLength(section.length);
    expect(result.every(Number.isFinite)).toBe(true);
  });

  it.each(Object.entries(interpolationMethods))('interpolation method %s keeps live traces', (_name, interpolate) => {
    const result = interpolate(section, shape, mask);
    for (let t = 0; t < shape.traces; t++) {
      if (mask[t]) expect(result.subarray(t * 128, (t + 1) * 128)).toEqual(section.subarray(t * 128, (t + 1) * 128));
    }
  });

  it('linear is the existing interpolateTracesLinear', () => {
    expect(interpolationMethods.linear(section, shape, mask)).toEqual(interpolateTracesLinear(section, shape, mask));
  });

  it('every method reports a section or mask of the wrong size as a ProcessingInputError', () => {
    const wrongShape = { traces: 25, samples: 128 };
    for (const denoise of Object.values(denoiseMethods)) {
      expect(() => denoise(section, wrongShape)).toThrow(ProcessingInputError);
    }
    for (const interpolate of Object.values(interpolationMethods)) {
      expect(() => interpolate(section, shape, new Uint8Array(5))).toThrow(
        expect.objectContaining({
          apiCode: 'invalid-argument',
          message: expect.stringMatching(/trace mask of 5 traces/),
        }),
      );
    }
  });
});
