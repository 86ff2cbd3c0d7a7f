/**
 * The stratigraphic column: a stack of layers, each with a top (two-way time, ms, in the undeformed column) and its
 * elastic properties. Random columns follow the statistics of well logs:
 *  - bed thicknesses are exponential (a Poisson process of bed boundaries) with a 1 ms floor, so that many beds are
 *    thinner than a quarter wavelength and interfere (tuning), as in real logs;
 *  - ln(Vp) is a compaction trend plus a mean-reverting random walk (Ornstein-Uhlenbeck) with Laplace innovations,
 *    which gives the heavy-tailed reflection coefficients and the slightly blue reflectivity spectrum of real logs
 *    (Walden & Hosken 1986);
 *  - density from Gardner's relation rho = 0.31 Vp^0.25 (g/cm3, Vp in m/s; Gardner et al. 1974) and Vs from
 *    Castagna's mudrock line Vs = 0.862 Vp - 1172 m/s (Castagna et al. 1985), so that pre-stack AVO is consistent with
 *    the post-stack impedance contrasts.
 */
import { gaussian, laplace, seededRandom } from '../signal/random';

export interface RockLayer {
  /** Two-way time of the layer's top, ms (the first layer extends up to the surface whatever its top). */
  readonly topMs: number;
  /** P velocity, m/s. */
  readonly vp: number;
  /** S velocity, m/s. */
  readonly vs: number;
  /** Density, g/cm3. */
  readonly rho: number;
}

export class StratigraphicColumn {
  /** Acoustic impedance vp x rho of each layer. */
  readonly impedance: Float32Array;

  constructor(
    readonly topMs: Float64Array,
    readonly vp: Float32Array,
    readonly vs: Float32Array,
    readonly rho: Float32Array,
  ) {
    this.impedance = vp.map((v, i) => v * rho[i]!);
  }

  get length(): number {
    return this.topMs.length;
  }

  static fromLayers(layers: readonly RockLayer[]): StratigraphicColumn {
    if (layers.length === 0) throw new RangeError('a column needs at least one layer');
    for (let i = 1; i < layers.length; i++) {
      if (!(layers[i]!.topMs > layers[i - 1]!.topMs)) throw new RangeError(`layer ${i}: tops must increase`);
    }
    return new StratigraphicColumn(
      Float64Array.from(layers, (layer) => layer.topMs),
      Float32Array.from(layers, (layer) => layer.vp),
      Float32Array.from(layers, (layer) => layer.vs),
      Float32Array.from(layers, (layer) => layer.rho),
    );
  }

  /** This column's layers followed by `below`'s (layer ids of `below` start at this.length). */
  concat(below: StratigraphicColumn): StratigraphicColumn {
    const join = <T extends Float32Array | Float64Array>(a: T, b: T, make: (n: number) => T): T => {
      const joined = make(a.length + b.length);
      joined.set(a);
      joined.set(b, a.length);
      return joined;
    };
    return new StratigraphicColumn(
      join(this.topMs, below.topMs, (n) => new Float64Array(n)),
      join(this.vp, below.vp, (n) => new Float32Array(n)),
      join(this.vs, below.vs, (n) => new Float32Array(n)),
      join(this.rho, below.rho, (n) => new Float32Array(n)),
    );
  }
}

/** Normal compaction: Vp grows with burial towards the matrix velocity (1700 m/s at the surface, ~4550 at 6 s). */
export function compactionTrendVp(timeMs: number): number {
  return 1700 + 3300 * (1 - Math.exp(-Math.max(0, timeMs) / 3000));
}

/** Gardner et al. (1974): bulk density in g/cm3 from Vp in m/s. */
export function gardnerDensity(vp: number): number {
  return 0.31 * vp ** 0.25;
}

/** Castagna et al. (1985) mudrock line, floored at Vp/3.3 so that shallow, slow rocks keep a sane Vp/Vs. */
export function mudrockVs(vp: number): number {
  return Math.max(0.862 * vp - 1172.4, vp / 3.3);
}

export interface RandomColumnOptions {
  readonly seed: number;
  /** Top of the first layer and bottom of the column (two-way time, ms). */
  readonly fromMs: number;
  readonly toMs: number;
  /** Mean bed thickness (two-way time, ms); beds are never thinner than 1 ms. */
  readonly meanBedMs: number;
}

/** How strongly ln(Vp) reverts to the compaction trend from one bed to the next. */
const LOG_REVERSION = 0.15;
/** Scale of the Laplace steps of ln(Vp) between beds: reflection coefficients of a few percent, tails to ~0.2. */
const LOG_STEP_SCALE = 0.035;

export function randomColumn(options: RandomColumnOptions): StratigraphicColumn {
  if (!(options.meanBedMs >= 1)) throw new RangeError(`mean bed thickness must be >= 1 ms, not ${options.meanBedMs}`);
  const random = seededRandom(options.seed);
  const normal = gaussian(random);
  const layers: RockLayer[] = [];
  let deviation = 0.05 * normal();
  for (let top = options.fromMs; top < options.toMs;) {
    const vp = compactionTrendVp(top) * Math.exp(deviation);
    layers.push({ topMs: top, vp, vs: mudrockVs(vp), rho: gardnerDensity(vp) });
    top += 1 - (options.meanBedMs - 1) * Math.log(Math.max(random(), Number.EPSILON));
    deviation = (1 - LOG_REVERSION) * deviation + laplace(random, LOG_STEP_SCALE);
  }
  return StratigraphicColumn.fromLayers(layers);
}
