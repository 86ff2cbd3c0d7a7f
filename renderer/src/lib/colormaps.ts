import type { DisplaySettings } from '../../../preload/contract';

/**
 * Colormaps as 256-entry RGBA lookup tables (uploaded once as a 256 x 1 texture; the fragment shader maps each value
 * through it). The display range's low end is index 0, its high end index 255. Diverging maps are for zero-mean
 * amplitudes (the range centred on zero: NEGATIVE at the left end, zero at the centre, POSITIVE at the right end);
 * red-white-blue is matplotlib's "seismic", so peaks are red and troughs blue. Sequential maps are for quantities that
 * are not centred on zero (velocities, impedances, coherence): low to high along the whole ramp.
 */
export type ColormapName = DisplaySettings['colormap'] | 'heat';

export type ColormapKind = 'diverging' | 'sequential';

export const COLORMAPS: readonly {
  id: DisplaySettings['colormap'];
  label: string;
  description: string;
  kind: ColormapKind;
}[] = [
  { id: 'seismic', label: 'Red-white-blue', description: 'negative blue, zero white, positive red', kind: 'diverging' },
  {
    id: 'bwo',
    label: 'Blue-white-orange (colour-blind safe)',
    description: 'negative blue, zero white, positive orange; distinct for red-green colour blindness',
    kind: 'diverging',
  },
  { id: 'grey', label: 'Grey', description: 'low black, high white (zero mid-grey on amplitudes)', kind: 'sequential' },
  {
    id: 'viridis',
    label: 'Viridis',
    description: 'low dark blue, high yellow; perceptually even and colour-blind safe',
    kind: 'sequential',
  },
  {
    id: 'rainbow',
    label: 'Velocity rainbow',
    description: 'low blue through green and yellow to high red, as velocity models are usually shown',
    kind: 'sequential',
  },
];

/**
 * 'heat' is for non-negative quantities (the ensemble's uncertainty): only the right half is used (the shader maps 0 to
 * the centre), black to red to yellow to white. It is not offered in the amplitude colormap picker.
 */
type Stop = [position: number, r: number, g: number, b: number];

const STOPS: Record<ColormapName, Stop[]> = {
  seismic: [
    [0, 0, 0, 76],
    [0.25, 0, 0, 255],
    [0.5, 255, 255, 255],
    [0.75, 255, 0, 0],
    [1, 128, 0, 0],
  ],
  grey: [
    [0, 0, 0, 0],
    [1, 255, 255, 255],
  ],
  // Blue to orange through white (after Brewer's PuOr / the "BWO" map): blue and orange stay apart under deuteranopia
  // and protanopia, where red and green do not.
  bwo: [
    [0, 5, 48, 97],
    [0.2, 33, 102, 172],
    [0.4, 146, 197, 222],
    [0.5, 247, 247, 247],
    [0.6, 253, 190, 133],
    [0.8, 230, 97, 1],
    [1, 127, 39, 4],
  ],
  // After matplotlib's viridis (sampled at nine stops).
  viridis: [
    [0, 68, 1, 84],
    [0.125, 71, 44, 122],
    [0.25, 59, 81, 139],
    [0.375, 44, 113, 142],
    [0.5, 33, 144, 141],
    [0.625, 39, 173, 129],
    [0.75, 92, 200, 99],
    [0.875, 170, 220, 50],
    [1, 253, 231, 37],
  ],
  rainbow: [
    [0, 48, 18, 140],
    [0.2, 30, 110, 250],
    [0.4, 40, 200, 200],
    [0.55, 100, 220, 80],
    [0.7, 245, 220, 40],
    [0.85, 245, 120, 30],
    [1, 170, 20, 20],
  ],
  heat: [
    [0, 0, 0, 0],
    [0.5, 10, 8, 20],
    [0.68, 140, 30, 60],
    [0.84, 240, 120, 30],
    [1, 255, 245, 200],
  ],
};

/** Tables built so far: `colourAt` runs once per pixel of an image (the f-k spectrum has ~500,000). */
const TABLES = new Map<ColormapName, Uint8Array>();

/** The 256 x 1 RGBA table of a colormap (built once per map; callers must not change it). */
export function colormapTable(name: ColormapName): Uint8Array {
  let table = TABLES.get(name);
  if (!table) {
    table = buildTable(STOPS[name]);
    TABLES.set(name, table);
  }
  return table;
}

function buildTable(stops: Stop[]): Uint8Array {
  const table = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    let k = 0;
    while (k < stops.length - 2 && t > stops[k + 1]![0]) k++;
    const [p0, r0, g0, b0] = stops[k]!;
    const [p1, r1, g1, b1] = stops[k + 1]!;
    const f = p1 > p0 ? Math.min(1, Math.max(0, (t - p0) / (p1 - p0))) : 0;
    table[i * 4] = Math.round(r0 + (r1 - r0) * f);
    table[i * 4 + 1] = Math.round(g0 + (g1 - g0) * f);
    table[i * 4 + 2] = Math.round(b0 + (b1 - b0) * f);
    table[i * 4 + 3] = 255;
  }
  return table;
}

/**
 * The colour the shader gives a normalised value in [-1, 1] ((value - centre) * gain / half-range, clamped): for tests
 * and legends.
 */
export function colourAt(name: ColormapName, normalised: number): [number, number, number] {
  const table = colormapTable(name);
  const t = 0.5 + 0.5 * Math.max(-1, Math.min(1, normalised));
  const i = Math.round(t * 255);
  return [table[i * 4]!, table[i * 4 + 1]!, table[i * 4 + 2]!];
}

/** A CSS linear-gradient of a colormap, for legends and the colormap picker. */
export function colormapGradient(name: ColormapName): string {
  const stops = STOPS[name].map(([p, r, g, b]) => `rgb(${r} ${g} ${b}) ${Math.round(p * 100)}%`);
  return `linear-gradient(to right, ${stops.join(', ')})`;
}
