/**
 * Pre-stack CMP gathers from the same earth model as the post-stack synthetics.
 *
 * Moveout: each reflection lies on the hyperbola t(x) = sqrt(t0^2 + x^2 / Vrms(t0)^2) (Dix 1955; Taner & Koehler 1969),
 * Vrms from the interval velocities of the layers the trace crosses, so velocity grows with depth by compaction.
 * Amplitude: Shuey's two-term approximation R(theta) = A + B sin^2(theta) (Shuey 1985) with intercept
 * A = (dVp/Vp + drho/rho) / 2 and gradient B = dVp/(2 Vp) - 2 (Vs/Vp)^2 (drho/rho + 2 dVs/Vs), averages across the
 * interface; the angle from the ray parameter of the hyperbola, sin(theta) = Vp x / (Vrms^2 t(x)). Reflections beyond
 * maxAngleDeg are muted (tapered), as in processed gathers and where the two-term approximation stops holding.
 * The wavelet is not stretched: stretch appears only when the gathers are NMO-corrected, as on real data.
 */
import type { EarthModel, TraceLayering } from './earthModel';
import { checkSeismicOptions } from './postStack';
import type { SeismicOptions } from './postStack';
import { WaveletBank, addWavelet } from './wavelets';

export interface GatherOptions extends SeismicOptions {
  /** Source-receiver offsets of the gather's traces, m. */
  readonly offsetsM: readonly number[];
  /** Largest incidence angle kept, degrees (default 40). */
  readonly maxAngleDeg?: number;
  /**
   * Keep wide-angle and post-critical reflections instead of muting them, as raw field gathers show them: the AVO
   * is then held at its value for 90 degrees beyond it (a stand-in; the two-term approximation does not reach there).
   */
  readonly unmuted?: boolean;
}

/** Elastic properties on both sides of an interface, with their lateral scaling. */
interface Contrast {
  vp1: number;
  vs1: number;
  rho1: number;
  vp2: number;
  vs2: number;
  rho2: number;
}

/** Shuey (1985) two-term intercept and gradient of an interface. */
export function shueyTerms(c: Contrast): { intercept: number; gradient: number } {
  const vp = (c.vp1 + c.vp2) / 2;
  const vs = (c.vs1 + c.vs2) / 2;
  const rho = (c.rho1 + c.rho2) / 2;
  const dVp = (c.vp2 - c.vp1) / vp;
  const dVs = (c.vs2 - c.vs1) / vs;
  const dRho = (c.rho2 - c.rho1) / rho;
  return {
    intercept: 0.5 * (dVp + dRho),
    gradient: 0.5 * dVp - 2 * (vs / vp) ** 2 * (dRho + 2 * dVs),
  };
}

/** NMO traveltime, ms, of a reflection at zero-offset time t0Ms for an offset in m and an RMS velocity in m/s. */
export function nmoTimeMs(t0Ms: number, offsetM: number, vrmsMps: number): number {
  return Math.sqrt(t0Ms * t0Ms + ((1000 * offsetM) / vrmsMps) ** 2);
}

export class CmpGatherSynthesizer {
  private readonly bank: WaveletBank;
  private readonly durationMs: number;
  private readonly maxSin2: number;

  constructor(
    readonly model: EarthModel,
    readonly options: GatherOptions,
  ) {
    checkSeismicOptions(options);
    if (options.offsetsM.length === 0) throw new RangeError('a gather needs at least one offset');
    this.durationMs = options.samples * options.sampleIntervalMs;
    this.bank = new WaveletBank(options.wavelet, options.sampleIntervalMs, this.durationMs, options.q);
    this.maxSin2 = Math.sin(((options.maxAngleDeg ?? 40) * Math.PI) / 180) ** 2;
  }

  /** The CMP gather at (inline, crossline) as offsets x samples, trace-major. */
  gather(inline: number, crossline: number): Float32Array {
    const { samples, offsetsM } = this.options;
    const gather = new Float32Array(offsetsM.length * samples);
    const traces = offsetsM.map((_, k) => gather.subarray(k * samples, (k + 1) * samples));
    const layering = this.model.layeringAt(inline, crossline);
    let sumV2T = 0;
    for (let i = 1; i < layering.count; i++) {
      const t0 = layering.timesMs[i]!;
      const contrast = this.contrast(layering, i);
      const layerTop = Math.max(0, layering.timesMs[i - 1]!);
      if (t0 > layerTop) sumV2T += contrast.vp1 ** 2 * (t0 - layerTop);
      if (t0 <= 0) continue;
      if (t0 > this.durationMs) break;
      this.addReflection(traces, t0, Math.sqrt(sumV2T / t0), contrast);
    }
    return gather;
  }

  private contrast(layering: TraceLayering, i: number): Contrast {
    const { vp, vs, rho } = this.model.column;
    const upper = layering.layers[i - 1]!;
    const lower = layering.layers[i]!;
    const s1 = layering.lateralScale[i - 1]!;
    const s2 = layering.lateralScale[i]!;
    return {
      vp1: vp[upper]! * s1,
      vs1: vs[upper]! * s1,
      rho1: rho[upper]! * s1,
      vp2: vp[lower]! * s2,
      vs2: vs[lower]! * s2,
      rho2: rho[lower]! * s2,
    };
  }

  private addReflection(traces: Float32Array[], t0Ms: number, vrms: number, contrast: Contrast): void {
    const { intercept, gradient } = shueyTerms(contrast);
    if (intercept === 0 && gradient === 0) return;
    const vpAtReflector = (contrast.vp1 + contrast.vp2) / 2;
    const reachMs = this.bank.halfSamples * this.options.sampleIntervalMs;
    this.options.offsetsM.forEach((offsetM, k) => {
      const tMs = nmoTimeMs(t0Ms, offsetM, vrms);
      if (tMs > this.durationMs + reachMs) return;
      const sinTheta = (vpAtReflector * Math.abs(offsetM)) / (vrms * vrms * tMs * 1e-3);
      const sin2 = this.options.unmuted ? Math.min(1, sinTheta * sinTheta) : sinTheta * sinTheta;
      const mute = this.options.unmuted ? 1 : this.muteWeight(sin2);
      if (mute === 0) return;
      const amplitude = (intercept + gradient * sin2) * mute;
      addWavelet(traces[k]!, tMs / this.options.sampleIntervalMs, amplitude, this.bank.at(tMs));
    });
  }

  /** 1 up to 80% of the largest sin^2, falling linearly to 0 at it. */
  private muteWeight(sin2: number): number {
    if (sin2 >= this.maxSin2) return 0;
    const start = 0.8 * this.maxSin2;
    return sin2 <= start ? 1 : (this.maxSin2 - sin2) / (this.maxSin2 - start);
  }
}
