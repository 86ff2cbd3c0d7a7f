/**
 * The earth model behind every synthetic: a stratigraphic column deformed by dips and folds, truncated by an
 * erosional unconformity with younger flat layers above, cut by normal faults, with lateral changes of impedance
 * contrast along the layers. The model is a handful of parameters plus the column (a few thousand layers); any trace
 * is computed from them on its own, so cubes of any size stream in bounded memory: r(il, xl, t) for any (il, xl).
 *
 * Order of geological events (oldest first): deposition of the older sequence, folding and tilting (dip grows with
 * depth for folds: deeper layers have been through more of the deformation, as in growth structures), erosion and
 * deposition of the younger sequence on the unconformity, then normal faulting of everything.
 */
import { deriveSeed, gaussian, seededRandom } from '../signal/random';
import { StratigraphicColumn, randomColumn } from './stratigraphy';
import type { RockLayer } from './stratigraphy';
import { erosionSurfaceMs, faultAtTrace, foldDisplacementMs, lateralFieldAt } from './structure';
import type { Fold, LateralField, NormalFault, Unconformity } from './structure';

export interface EarthModelSpec {
  readonly inlines: number;
  readonly crosslines: number;
  /** Time range the model must fill (two-way time, ms). */
  readonly durationMs: number;
  /** Seed of the random column(s) and the lateral amplitude fields. */
  readonly seed: number;
  /** Mean bed thickness of the random columns (two-way ms); thin beds interfere (tuning). */
  readonly meanBedMs: number;
  /** Planar dip of the older sequence, ms per trace, about the survey centre. */
  readonly dip: { readonly msPerInline: number; readonly msPerCrossline: number };
  readonly folds: readonly Fold[];
  readonly faults: readonly NormalFault[];
  readonly unconformity?: Unconformity;
  /** Typical relative change of a layer's impedance along it (0.1 = 10%); a few layers change much more. */
  readonly lateralAmplitude: number;
  /** A given (older) column instead of a random one; its first layer extends up to the surface. */
  readonly layers?: readonly RockLayer[];
}

/**
 * The layers met by one vertical trace, top down: from timesMs[i] (two-way ms) down to timesMs[i+1] the rock is layer
 * layers[i] of the model's column, its properties scaled by lateralScale[i]. timesMs[0] is -Infinity.
 */
export interface TraceLayering {
  count: number;
  readonly timesMs: Float64Array;
  readonly layers: Int32Array;
  readonly lateralScale: Float64Array;
}

function emptyLayering(capacity: number): TraceLayering {
  return {
    count: 0,
    timesMs: new Float64Array(capacity),
    layers: new Int32Array(capacity),
    lateralScale: new Float64Array(capacity),
  };
}

function push(into: TraceLayering, timeMs: number, layer: number): void {
  into.timesMs[into.count] = timeMs;
  into.layers[into.count] = layer;
  into.count++;
}

/** Extra time modelled above and below the requested range: wavelet tails and fault throws reach into it. */
const MARGIN_MS = 500;
/** Folds never squeeze a column to less than this fraction of its thickness (keeps layer order: no overturned folds). */
const MIN_STRETCH = 0.4;
const LATERAL_FIELDS = 4;
/** The fraction of layers whose contrast changes strongly along them (bright and dim spots). */
const STRONG_LATERAL_FRACTION = 0.1;

export class EarthModel {
  /** Older sequence (ids 0 .. youngFirst - 1) then younger sequence (ids youngFirst ..). */
  readonly column: StratigraphicColumn;
  private readonly youngFirst: number;
  private readonly lateralFields: LateralField[];
  private readonly lateralField: Uint8Array;
  private readonly lateralStrength: Float32Array;
  private readonly buffers: [TraceLayering, TraceLayering];
  private readonly centreInline: number;
  private readonly centreCrossline: number;

  constructor(readonly spec: EarthModelSpec) {
    checkSpec(spec);
    this.centreInline = (spec.inlines - 1) / 2;
    this.centreCrossline = (spec.crosslines - 1) / 2;
    const older = spec.layers ? StratigraphicColumn.fromLayers(spec.layers) : randomColumn(this.olderRange());
    this.youngFirst = older.length;
    this.column = spec.unconformity ? older.concat(randomColumn(this.youngerRange(spec.unconformity))) : older;
    const random = seededRandom(deriveSeed(spec.seed, 'lateral'));
    this.lateralFields = Array.from({ length: LATERAL_FIELDS }, () => randomLateralField(random, spec));
    this.lateralField = Uint8Array.from({ length: this.column.length }, () => Math.floor(random() * LATERAL_FIELDS));
    const normal = gaussian(random);
    this.lateralStrength = Float32Array.from({ length: this.column.length }, () => {
      const strong = random() < STRONG_LATERAL_FRACTION ? 3 : 1;
      return strong * spec.lateralAmplitude * Math.abs(normal());
    });
    const capacity = this.column.length + 2;
    this.buffers = [emptyLayering(capacity), emptyLayering(capacity)];
  }

  /** The largest tilt (either way) and the largest upward fold displacement of the older sequence, ms. */
  private displacementBounds(): { tilt: number; foldUp: number } {
    const { dip, folds, inlines, crosslines } = this.spec;
    const tilt =
      Math.abs(dip.msPerInline) * (inlines - 1) * 0.5 + Math.abs(dip.msPerCrossline) * (crosslines - 1) * 0.5;
    // A bump moves layers one way (up when its amplitude is negative), a wave both ways.
    const foldUp = folds.reduce(
      (sum, fold) => sum + (fold.kind === 'wave' ? Math.abs(fold.amplitudeMs) : Math.max(0, -fold.amplitudeMs)),
      0,
    );
    return { tilt, foldUp };
  }

  /** Undeformed times of the older column that can end up inside the modelled range. */
  private olderRange(): { seed: number; fromMs: number; toMs: number; meanBedMs: number } {
    const { tilt, foldUp } = this.displacementBounds();
    const totalThrow = this.spec.faults.reduce((sum, fault) => sum + Math.abs(fault.throwMs), 0);
    const stretch = Math.max(MIN_STRETCH, 1 - foldUp / this.spec.durationMs);
    return {
      seed: deriveSeed(this.spec.seed, 'older'),
      fromMs: (-MARGIN_MS - totalThrow - tilt) / stretch,
      toMs: (this.spec.durationMs + MARGIN_MS + tilt) / stretch,
      meanBedMs: this.spec.meanBedMs,
    };
  }

  private youngerRange(surface: Unconformity): { seed: number; fromMs: number; toMs: number; meanBedMs: number } {
    const totalThrow = this.spec.faults.reduce((sum, fault) => sum + Math.abs(fault.throwMs), 0);
    return {
      seed: deriveSeed(this.spec.seed, 'younger'),
      fromMs: -MARGIN_MS - totalThrow,
      toMs: surface.timeMs + Math.abs(surface.reliefMs) + 1,
      meanBedMs: this.spec.meanBedMs,
    };
  }

  /**
   * The layering of the trace at (inline, crossline) (grid indices from 0, fractional allowed). The result is a buffer
   * of the model, valid until the next call.
   */
  layeringAt(inline: number, crossline: number): TraceLayering {
    const [first, second] = this.buffers;
    let current = this.deformOlder(inline, crossline, first);
    let spare = second;
    if (this.spec.unconformity) [current, spare] = [this.erode(current, inline, crossline, spare), current];
    for (const fault of this.spec.faults)
      [current, spare] = [this.cut(current, fault, inline, crossline, spare), current];
    this.fillLateralScale(current, inline, crossline);
    return current;
  }

  /** Older layers after tilting and folding: t = u + tilt + (u / T) folds, with the fold term kept above -(1-MIN_STRETCH)T. */
  private deformOlder(inline: number, crossline: number, into: TraceLayering): TraceLayering {
    const { dip, folds, durationMs } = this.spec;
    const tilt =
      dip.msPerInline * (inline - this.centreInline) + dip.msPerCrossline * (crossline - this.centreCrossline);
    let folding = 0;
    for (const fold of folds) folding += foldDisplacementMs(fold, inline, crossline);
    const stretch = Math.max(MIN_STRETCH, 1 + folding / durationMs);
    into.count = 0;
    push(into, -Infinity, 0);
    const tops = this.column.topMs;
    for (let layer = 1; layer < this.youngFirst; layer++) push(into, tops[layer]! * stretch + tilt, layer);
    return into;
  }

  /** Younger flat layers down to the erosion surface, then the truncated older layers below it. */
  private erode(older: TraceLayering, inline: number, crossline: number, into: TraceLayering): TraceLayering {
    const surfaceMs = erosionSurfaceMs(this.spec.unconformity!, inline, crossline);
    const tops = this.column.topMs;
    into.count = 0;
    push(into, -Infinity, this.youngFirst);
    for (let layer = this.youngFirst + 1; layer < this.column.length && tops[layer]! < surfaceMs; layer++) {
      push(into, tops[layer]!, layer);
    }
    let below = 0;
    while (below + 1 < older.count && older.timesMs[below + 1]! <= surfaceMs) below++;
    push(into, surfaceMs, older.layers[below]!);
    for (let i = below + 1; i < older.count; i++) push(into, older.timesMs[i]!, older.layers[i]!);
    return into;
  }

  /**
   * Normal faulting with vertical displacement: above the fault plane (hanging wall) every top moves down by the throw,
   * below it (footwall) nothing moves. The hanging wall's deepest layer is continued down to the first footwall top,
   * i.e. the fault plane itself gives no reflection: steep planes are not imaged by a vertical-incidence convolution.
   */
  private cut(
    layering: TraceLayering,
    fault: NormalFault,
    inline: number,
    crossline: number,
    into: TraceLayering,
  ): TraceLayering {
    const { planeMs, throwMs } = faultAtTrace(fault, inline, crossline);
    into.count = 0;
    let i = 0;
    for (; i < layering.count && layering.timesMs[i]! + throwMs < planeMs; i++) {
      push(into, layering.timesMs[i]! + throwMs, layering.layers[i]!);
    }
    for (let j = 0; j < layering.count; j++) {
      if (layering.timesMs[j]! >= planeMs) push(into, layering.timesMs[j]!, layering.layers[j]!);
    }
    return into;
  }

  private fillLateralScale(layering: TraceLayering, inline: number, crossline: number): void {
    const fieldValues = this.lateralFields.map((field) => lateralFieldAt(field, inline, crossline));
    for (let i = 0; i < layering.count; i++) {
      const layer = layering.layers[i]!;
      const scale = 1 + this.lateralStrength[layer]! * fieldValues[this.lateralField[layer]!]!;
      layering.lateralScale[i] = Math.min(1.5, Math.max(0.5, scale));
    }
  }
}

function checkSpec(spec: EarthModelSpec): void {
  for (const name of ['inlines', 'crosslines'] as const) {
    if (!(Number.isInteger(spec[name]) && spec[name] >= 1)) throw new RangeError(`${name} must be a whole number >= 1`);
  }
  if (!(spec.durationMs > 0)) throw new RangeError(`the model duration must be > 0 ms, not ${spec.durationMs}`);
  if (spec.layers && spec.unconformity) throw new RangeError('a given column cannot also have a random unconformity');
}

function randomLateralField(random: () => number, spec: EarthModelSpec): LateralField {
  const size = Math.max(spec.inlines, spec.crosslines);
  const blobs = Array.from({ length: 3 }, () => ({
    inline: random() * spec.inlines,
    crossline: random() * spec.crosslines,
    radiusTraces: size * (0.1 + 0.3 * random()),
    weight: (random() * 2 - 1) * 0.8,
  }));
  return { blobs };
}
