/**
 * Seeded 2D velocity models in the families of OpenFWI (Deng et al. 2022), for training and testing velocity building:
 *  - flat: 2 to 5 flat layers;
 *  - curved: the same layers folded by a smooth random curve (a sum of two sines, as OpenFWI's CurveVel);
 *  - flatfault / curvefault: those layers cut by one straight fault of random dip and throw;
 *  - style: a smooth random field (white noise under a wide Gaussian blur) on top of a velocity increase with depth,
 *    standing in for OpenFWI's style-transferred natural images.
 * Velocities lie in [1500, 4500] m/s (OpenFWI's "A" range) and layer velocities increase with depth, as in its "A"
 * datasets. Values are row-major, z down: (z, x) at z * nx + x.
 */
import { gaussian, seededRandom } from '../signal/random';

export const VELOCITY_FAMILIES = ['flat', 'curved', 'flatfault', 'curvefault', 'style'] as const;
export type VelocityFamily = (typeof VELOCITY_FAMILIES)[number];

export const MIN_VELOCITY = 1500;
export const MAX_VELOCITY = 4500;

const MIN_LAYER_THICKNESS_CELLS = 6;

export function isVelocityFamily(text: string): text is VelocityFamily {
  return (VELOCITY_FAMILIES as readonly string[]).includes(text);
}

/** One seeded model of the family on an nx x nz grid. */
export function velocityModel(family: VelocityFamily, seed: number, nx: number, nz: number): Float32Array {
  const random = seededRandom(seed);
  if (family === 'style') return smoothRandomField(random, nx, nz);
  const layers = randomLayers(random, nz);
  const fold = family === 'curved' || family === 'curvefault' ? randomFold(random, nx, nz) : () => 0;
  const fault = family === 'flatfault' || family === 'curvefault' ? randomFault(random, nx, nz) : undefined;
  const model = new Float32Array(nx * nz);
  for (let z = 0; z < nz; z++) {
    for (let x = 0; x < nx; x++) {
      const throw_ = fault && fault.onHangingWall(x, z) ? fault.throwCells : 0;
      model[z * nx + x] = layers.velocityAt(z - throw_ - fold(x));
    }
  }
  return model;
}

interface Layers {
  /** Velocity at a (fractional) depth in cells; above the first layer the first velocity, below the last the last. */
  velocityAt(depth: number): number;
}

function randomLayers(random: () => number, nz: number): Layers {
  const count = 2 + Math.floor(random() * 4);
  const velocities = Array.from({ length: count }, () => MIN_VELOCITY + random() * (MAX_VELOCITY - MIN_VELOCITY));
  velocities.sort((a, b) => a - b);
  // Tops of layers 1..count-1, at least MIN_LAYER_THICKNESS_CELLS apart and from the top.
  const free = nz - MIN_LAYER_THICKNESS_CELLS * count;
  const cuts = Array.from({ length: count - 1 }, () => random() * free).sort((a, b) => a - b);
  const tops = cuts.map((cut, i) => Math.round(cut) + MIN_LAYER_THICKNESS_CELLS * (i + 1));
  return {
    velocityAt(depth) {
      let layer = 0;
      while (layer < tops.length && depth >= tops[layer]!) layer++;
      return velocities[layer]!;
    },
  };
}

/** A vertical displacement (cells) of the layers with position x: two sines of random wavelength, phase and height. */
function randomFold(random: () => number, nx: number, nz: number): (x: number) => number {
  const waves = Array.from({ length: 2 }, (_, k) => ({
    amplitude: (random() * nz) / (8 * (k + 1)),
    wavelength: nx * (0.6 + random() * 1.4),
    phase: random() * 2 * Math.PI,
  }));
  return (x) => waves.reduce((sum, w) => sum + w.amplitude * Math.sin((2 * Math.PI * x) / w.wavelength + w.phase), 0);
}

interface Fault {
  readonly throwCells: number;
  onHangingWall(x: number, z: number): boolean;
}

/** A straight fault through a random point of the model, dipping 45-80 degrees either way, 4-16 cells of throw. */
function randomFault(random: () => number, nx: number, nz: number): Fault {
  const x0 = nx * (0.25 + 0.5 * random());
  const z0 = nz * (0.3 + 0.4 * random());
  const dip = ((45 + 35 * random()) * Math.PI) / 180;
  const direction = random() < 0.5 ? -1 : 1;
  const throwCells = Math.round(4 + 12 * random());
  // The fault trace: x = x0 + direction (z - z0) / tan(dip); cells on the side it dips towards have moved down.
  return {
    throwCells,
    onHangingWall: (x, z) => direction * (x - x0 - (direction * (z - z0)) / Math.tan(dip)) > 0,
  };
}

/** Gaussian blur radius of the style family, cells: features of 10-20 cells, like OpenFWI's Style models. */
const STYLE_SMOOTHING_CELLS = 5;

function smoothRandomField(random: () => number, nx: number, nz: number): Float32Array {
  const normal = gaussian(random);
  const noise = Float32Array.from({ length: nx * nz }, normal);
  const field = blur(noise, nx, nz, STYLE_SMOOTHING_CELLS);
  let lowest = Infinity;
  let highest = -Infinity;
  for (const value of field) {
    lowest = Math.min(lowest, value);
    highest = Math.max(highest, value);
  }
  // Half depth trend, half texture, spanning a random part of the velocity range at least half its width.
  const span = (MAX_VELOCITY - MIN_VELOCITY) * (0.5 + 0.5 * random());
  const bottom = MIN_VELOCITY + random() * (MAX_VELOCITY - MIN_VELOCITY - span);
  const model = new Float32Array(nx * nz);
  for (let z = 0; z < nz; z++) {
    for (let x = 0; x < nx; x++) {
      const texture = (field[z * nx + x]! - lowest) / (highest - lowest);
      model[z * nx + x] = bottom + span * (0.5 * (z / (nz - 1)) + 0.5 * texture);
    }
  }
  return model;
}

/** Separable Gaussian blur with clamped edges. */
function blur(values: Float32Array, nx: number, nz: number, sigma: number): Float32Array {
  const radius = Math.ceil(3 * sigma);
  const kernel = Float32Array.from({ length: 2 * radius + 1 }, (_, k) =>
    Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)),
  );
  const pass = (input: Float32Array, along: 'x' | 'z'): Float32Array => {
    const output = new Float32Array(input.length);
    for (let z = 0; z < nz; z++) {
      for (let x = 0; x < nx; x++) {
        let sum = 0;
        let weight = 0;
        for (let k = -radius; k <= radius; k++) {
          const xx = along === 'x' ? Math.min(nx - 1, Math.max(0, x + k)) : x;
          const zz = along === 'z' ? Math.min(nz - 1, Math.max(0, z + k)) : z;
          sum += kernel[k + radius]! * input[zz * nx + xx]!;
          weight += kernel[k + radius]!;
        }
        output[z * nx + x] = sum / weight;
      }
    }
    return output;
  };
  return pass(pass(values, 'x'), 'z');
}
