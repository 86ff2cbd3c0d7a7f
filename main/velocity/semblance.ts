/**
 * Semblance velocity analysis of a CMP gather (Taner & Koehler 1969): for every zero-offset time t0 and trial stacking
 * velocity v, the traces are read along the NMO hyperbola t = sqrt(t0^2 + x^2 / v^2) and
 *   S(t0, v) = sum_window (sum_i a_i)^2 / sum_window (N sum_i a_i^2),
 * the fraction of the energy that stacks coherently, 1 for a perfectly flattened event. Samples stretched by more than
 * the stretch mute (t / t0 - 1, the NMO stretch that lowers frequencies) are left out, which also removes the direct
 * wave and refractions at far offsets.
 */

/** Traces of one CMP (or a supergather of neighbouring CMPs), trace-major: trace i at [i * samples, (i + 1) * samples). */
export interface CmpGather {
  readonly traces: Float32Array;
  readonly offsetsM: Float32Array;
  readonly samples: number;
  readonly sampleIntervalS: number;
  /** Time of sample 0 relative to the source's time zero (minus the source delay: the wavelet peaks later). */
  readonly firstSampleS: number;
}

export interface SemblanceOptions {
  readonly velocities: Float32Array;
  /** Length of the time window the energies are summed over, s (about one wavelet period). */
  readonly windowS: number;
  /** Largest NMO stretch kept, e.g. 0.5. */
  readonly stretchMute: number;
  /**
   * Amplitude, relative to the gather's largest, of an incoherent noise the energies are computed as if the data
   * carried (e.g. 1e-3, -60 dB): without it a window with almost nothing in it (modelled data: rounding residue, the
   * smooth tail of 2D arrivals) scores as a perfect event, since semblance does not depend on amplitude.
   */
  readonly noiseFloor: number;
}

/** Semblance in [0, 1], row-major: (t0 index, velocity index), t0 = k * sampleIntervalS from 0. */
export interface SemblancePanel {
  readonly values: Float32Array;
  /**
   * Energy of the stack over the same windows, same layout: semblance is nearly flat across an event's window, the
   * stack's energy peaks where the wavelet does, which is what places a pick in time.
   */
  readonly stackEnergy: Float64Array;
  readonly times: number;
  readonly velocities: Float32Array;
  readonly sampleIntervalS: number;
}

/** The semblance panel of a gather over the trial velocities, for every t0 the record reaches. */
export function semblancePanel(gather: CmpGather, options: SemblanceOptions): SemblancePanel {
  const { samples, sampleIntervalS: dt, firstSampleS } = gather;
  const { velocities } = options;
  const times = Math.max(0, Math.floor(samples + firstSampleS / dt));
  const values = new Float32Array(times * velocities.length);
  const stackEnergy = new Float64Array(times * velocities.length);
  const coherent = new Float64Array(times);
  const total = new Float64Array(times);
  const half = Math.max(1, Math.round(options.windowS / dt / 2));
  let peak = 0;
  for (const value of gather.traces) peak = Math.max(peak, Math.abs(value));
  const noiseEnergy = gather.offsetsM.length ** 2 * (options.noiseFloor * peak) ** 2;
  for (let v = 0; v < velocities.length; v++) {
    stackAlongHyperbolas(gather, velocities[v]!, options.stretchMute, times, coherent, total);
    // Window sums added up directly: a running sum would carry the rounding error of the strong early arrivals into
    // the weak late ones.
    for (let k = 0; k < times; k++) {
      let sumCoherent = 0;
      let sumTotal = 0;
      for (let j = Math.max(0, k - half); j <= Math.min(times - 1, k + half); j++) {
        sumCoherent += coherent[j]!;
        sumTotal += total[j]! + noiseEnergy;
      }
      values[k * velocities.length + v] = sumTotal > 0 ? sumCoherent / sumTotal : 0;
      stackEnergy[k * velocities.length + v] = sumCoherent;
    }
  }
  return { values, stackEnergy, times, velocities, sampleIntervalS: dt };
}

/**
 * For one trial velocity, per t0: (sum of the NMO-corrected amplitudes)^2 and N x (sum of their squares), N the number
 * of traces in the gather, muted ones included: a t0 where the mute leaves few traces scores at most live / N, so that a
 * lone trace (which is always "coherent" with itself) does not look like a perfect event. Amplitudes between samples
 * are interpolated linearly.
 */
function stackAlongHyperbolas(
  gather: CmpGather,
  velocity: number,
  stretchMute: number,
  times: number,
  coherent: Float64Array,
  total: Float64Array,
): void {
  const { samples, sampleIntervalS: dt, firstSampleS, traces, offsetsM } = gather;
  const count = offsetsM.length;
  for (let k = 0; k < times; k++) {
    const t0 = k * dt;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < count; i++) {
      const moveout = offsetsM[i]! / velocity;
      const t = Math.sqrt(t0 * t0 + moveout * moveout);
      if (t - t0 > stretchMute * t0) continue;
      const position = (t - firstSampleS) / dt;
      const sample = Math.floor(position);
      if (sample < 0 || sample + 1 >= samples) continue;
      const fraction = position - sample;
      const base = i * samples + sample;
      const a = traces[base]! + fraction * (traces[base + 1]! - traces[base]!);
      sum += a;
      sumSquares += a * a;
    }
    coherent[k] = sum * sum;
    total[k] = count * sumSquares;
  }
}
