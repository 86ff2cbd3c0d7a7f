/**
 * Filtering a waveform through its STFT: the mean is removed (it is no noise, and the spectrograms the masks come from
 * are detrended per segment, so they say nothing about it), each STFT value is multiplied by a real gain (the noisy
 * phase is kept), and the inverse STFT (weighted overlap-add) gives the filtered samples, the mean added back.
 */
import { istft, stft, type Stft, type StftSettings } from '../../signal/stft';

/** Gains per STFT value, [frame * bins + bin], for the STFT of the samples (mean removed). */
export type StftGains = (transform: Stft) => Float64Array;

export function filterThroughStft(samples: Float32Array, settings: StftSettings, gainsOf: StftGains): Float32Array {
  const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;
  const transform = stft(
    Float64Array.from(samples, (x) => x - mean),
    settings,
  );
  const gains = gainsOf(transform);
  const values = transform.values.map((value, i) => value * gains[i >> 1]!);
  const filtered = istft({ ...transform, values });
  return Float32Array.from(filtered.subarray(0, samples.length), (x) => x + mean);
}

/** |X|^2 of each STFT value, [frame * bins + bin]. */
export function stftPower(transform: Stft): Float64Array {
  const { values } = transform;
  return Float64Array.from({ length: values.length / 2 }, (_, i) => values[2 * i]! ** 2 + values[2 * i + 1]! ** 2);
}
