/**
 * Spectral subtraction, the classical STFT denoiser the autoencoder's mask is measured against (Boll 1979, in the
 * power form with over-subtraction and a spectral floor, Berouti, Schwartz and Makhoul 1979): the noise power at each
 * frequency is estimated from the recording itself, subtracted (times OVER_SUBTRACTION) from each STFT value's power,
 * and the value scaled to the power left, never below the floor:
 *
 *   gain = sqrt(max(1 - OVER_SUBTRACTION * N(f) / |X(t, f)|^2, FLOOR))
 *
 * N(f) is the mean noise power, estimated as the median over all frames of |X(t, f)|^2 divided by ln 2 (the power of
 * an STFT value of Gaussian noise is exponentially distributed, with median ln 2 times its mean). Without a noise-only
 * stretch to measure, the median is the level most of the record sits at: an event filling less than half of the
 * record does not pull it up (one that fills more, or a steady tone, is taken for noise and subtracted: the method's
 * known weakness). Over-subtraction by 4 (Berouti's range is 3 to 6) takes out the noise values that happen to exceed
 * the mean; plain subtraction (1) leaves half of the noise power. The floor (-20 dB of power) keeps the isolated bins
 * that full subtraction would zero from ringing as "musical noise".
 */
import type { Stft, StftSettings } from '../../signal/stft';
import { filterThroughStft, stftPower } from './stftFilter';

const POWER_FLOOR = 0.01;
const OVER_SUBTRACTION = 4;

function meanNoisePower(power: Float64Array, frames: number, bins: number): Float64Array {
  return Float64Array.from({ length: bins }, (_, f) => {
    const column = Float64Array.from({ length: frames }, (_, t) => power[t * bins + f]!).sort();
    const middle = frames >> 1;
    const median = frames % 2 === 1 ? column[middle]! : (column[middle - 1]! + column[middle]!) / 2;
    return median / Math.LN2;
  });
}

function subtractionGains(transform: Stft): Float64Array {
  const power = stftPower(transform);
  const noise = meanNoisePower(power, transform.frames, transform.bins);
  return power.map((p, i) => {
    const left = p > 0 ? 1 - (OVER_SUBTRACTION * noise[i % transform.bins]!) / p : 0;
    return Math.sqrt(Math.max(left, POWER_FLOOR));
  });
}

export function spectralSubtraction(samples: Float32Array, settings: StftSettings): Float32Array {
  return filterThroughStft(samples, settings, subtractionGains);
}
