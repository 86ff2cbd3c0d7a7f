/**
 * Structural elements of the earth model, in grid coordinates (inline and crossline indices from 0) and two-way
 * time (ms). Each is a small closed-form function of position, so any trace can be evaluated on its own.
 */

/** A fold: a Gaussian dome/basin, or a sinusoidal train of anticlines and synclines. */
export type Fold =
  | {
      readonly kind: 'bump';
      readonly inline: number;
      readonly crossline: number;
      readonly radiusTraces: number;
      /** Vertical displacement at the crest, ms; negative = dome (layers pushed up), positive = basin. */
      readonly amplitudeMs: number;
    }
  | {
      readonly kind: 'wave';
      readonly wavelengthTraces: number;
      /** Direction of the wave vector in the grid, degrees from the inline axis towards the crossline axis. */
      readonly azimuthDeg: number;
      readonly phaseDeg: number;
      readonly amplitudeMs: number;
    };

/**
 * A normal fault: a plane through (inline, crossline, timeMs) striking at strikeDeg (from the inline axis towards the
 * crossline axis) whose time grows by dipMsPerTrace per trace across strike (the sign picks the dip direction). The
 * hanging wall (above the plane) is displaced down by the throw, largest at the anchor and falling to zero at the tips
 * (an elliptical displacement profile, Walsh & Watterson 1987) over lengthTraces; omit the length for a constant throw.
 */
export interface NormalFault {
  readonly inline: number;
  readonly crossline: number;
  readonly timeMs: number;
  readonly strikeDeg: number;
  readonly dipMsPerTrace: number;
  readonly throwMs: number;
  readonly lengthTraces?: number;
}

/**
 * An erosional unconformity: older (folded, dipping) layers are truncated at an undulating erosion surface and younger
 * flat layers lie on it (and onlap its relief).
 */
export interface Unconformity {
  readonly timeMs: number;
  readonly reliefMs: number;
  readonly wavelengthTraces: number;
  readonly azimuthDeg: number;
}

const RAD = Math.PI / 180;

/** Distance along a direction given in degrees from the inline axis towards the crossline axis. */
function along(azimuthDeg: number, inline: number, crossline: number): number {
  return inline * Math.cos(azimuthDeg * RAD) + crossline * Math.sin(azimuthDeg * RAD);
}

export function foldDisplacementMs(fold: Fold, inline: number, crossline: number): number {
  if (fold.kind === 'bump') {
    const r2 = (inline - fold.inline) ** 2 + (crossline - fold.crossline) ** 2;
    return fold.amplitudeMs * Math.exp(-r2 / (2 * fold.radiusTraces ** 2));
  }
  const phase = (2 * Math.PI * along(fold.azimuthDeg, inline, crossline)) / fold.wavelengthTraces;
  return fold.amplitudeMs * Math.sin(phase + fold.phaseDeg * RAD);
}

/** Time of the fault plane and the throw at this trace. */
export function faultAtTrace(
  fault: NormalFault,
  inline: number,
  crossline: number,
): { planeMs: number; throwMs: number } {
  const di = inline - fault.inline;
  const dx = crossline - fault.crossline;
  const acrossStrike = along(fault.strikeDeg + 90, di, dx);
  const alongStrike = along(fault.strikeDeg, di, dx);
  const halfLength = (fault.lengthTraces ?? Infinity) / 2;
  const taper = Math.max(0, 1 - (alongStrike / halfLength) ** 2);
  return { planeMs: fault.timeMs + acrossStrike * fault.dipMsPerTrace, throwMs: fault.throwMs * taper };
}

export function erosionSurfaceMs(surface: Unconformity, inline: number, crossline: number): number {
  const phase = (2 * Math.PI * along(surface.azimuthDeg, inline, crossline)) / surface.wavelengthTraces;
  return surface.timeMs + surface.reliefMs * Math.sin(phase);
}

/** A smooth lateral field (sum of Gaussian blobs), roughly within [-1, 1]: where a layer's impedance contrast changes. */
export interface LateralField {
  readonly blobs: ReadonlyArray<{ inline: number; crossline: number; radiusTraces: number; weight: number }>;
}

export function lateralFieldAt(field: LateralField, inline: number, crossline: number): number {
  let value = 0;
  for (const blob of field.blobs) {
    const r2 = (inline - blob.inline) ** 2 + (crossline - blob.crossline) ** 2;
    value += blob.weight * Math.exp(-r2 / (2 * blob.radiusTraces ** 2));
  }
  return value;
}
