/**
 * The panels of a velocity build (velocity.result) as sections the section viewer draws: a map [z][x] becomes traces
 * along the line (distance in m) with samples down in depth (m); a shot [time][receiver] becomes traces by receiver
 * position (m) with samples in ms.
 */
import type { SectionData, VelocityBuild } from '../../../preload/contract';

export type VelocityMapName = 'velocity' | 'spread' | 'baseline';
export type ShotPanelName = 'input' | 'modelled' | 'difference';

function alongLine(count: number, spacingM: number): Int32Array {
  return Int32Array.from({ length: count }, (_, k) => Math.round(k * spacingM));
}

/** One map of the build as a depth section: trace x is column x of the map. */
export function mapSection(build: VelocityBuild, name: VelocityMapName, label: string): SectionData {
  const side = build.cells;
  const map = build[name];
  const data = new Float32Array(side * side);
  for (let x = 0; x < side; x++) for (let z = 0; z < side; z++) data[x * side + z] = map[z * side + x]!;
  return {
    surveyId: build.surveyId,
    axis: 'arbitrary',
    index: 0,
    count: 1,
    label,
    traces: side,
    samples: side,
    data,
    live: new Uint8Array(side).fill(1),
    traceAxis: { name: 'distance (m)', values: alongLine(side, build.spacingM) },
    sampleAxis: { name: 'depth', unit: 'm', start: 0, interval: build.spacingM },
  };
}

/** Shot `shot` (0-based) as recorded, as modelled over the map, or their difference (recorded - modelled). */
export function shotSection(build: VelocityBuild, shot: number, panel: ShotPanelName, label: string): SectionData {
  const { samples, receivers, sampleIntervalMs, input, modelled } = build.shots;
  const base = shot * samples * receivers;
  const value = (n: number, r: number): number => {
    const k = base + n * receivers + r;
    if (panel === 'input') return input[k]!;
    if (panel === 'modelled') return modelled[k]!;
    return input[k]! - modelled[k]!;
  };
  const data = new Float32Array(receivers * samples);
  for (let r = 0; r < receivers; r++) for (let n = 0; n < samples; n++) data[r * samples + n] = value(n, r);
  return {
    surveyId: build.surveyId,
    axis: 'gather',
    index: shot,
    count: build.shots.count,
    label,
    traces: receivers,
    samples,
    data,
    live: new Uint8Array(receivers).fill(1),
    traceAxis: { name: 'receiver (m)', values: alongLine(receivers, build.spacingM) },
    sampleAxis: { name: 'time', unit: 'ms', start: 0, interval: sampleIntervalMs },
  };
}

export interface ValueRange {
  low: number;
  high: number;
}

/** The smallest and largest value of some maps together (one colour bar for the ensemble and the baseline). */
export function valueRange(...maps: Float32Array[]): ValueRange {
  let low = Infinity;
  let high = -Infinity;
  for (const map of maps) {
    for (const value of map) {
      if (value < low) low = value;
      if (value > high) high = value;
    }
  }
  return { low, high };
}
