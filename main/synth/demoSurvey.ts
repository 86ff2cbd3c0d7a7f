/**
 * The demo survey that `npm start` opens on first run: a modest post-stack cube with faults, folds, an unconformity,
 * light noise, a footprint and a few missing traces, always the same (fixed seed).
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { writeSyntheticSegy } from './syntheticSegy';
import type { SyntheticSurveyOptions } from './syntheticSegy';

export const DEMO_SURVEY_FILE = 'promethium-demo.sgy';

export const DEMO_SURVEY: SyntheticSurveyOptions = {
  kind: 'cube',
  seed: 20_261_121,
  inlines: 120,
  crosslines: 100,
  samples: 400,
  sampleIntervalMs: 4,
  wavelet: { kind: 'ricker', peakHz: 30 },
  q: 150,
  noise: [
    { kind: 'gaussian', snrDb: 25 },
    { kind: 'footprint', strength: 0.1 },
  ],
  missing: { kind: 'random', fraction: 0.02 },
  missingAs: 'omit',
  model: { faults: 2, folds: 3, unconformity: true },
};

/** Writes the demo survey into `dir` unless it is already there; returns its path. */
export async function demoSurvey(dir: string): Promise<string> {
  const file = path.join(dir, DEMO_SURVEY_FILE);
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (!exists) await writeSyntheticSegy(file, DEMO_SURVEY);
  return file;
}
