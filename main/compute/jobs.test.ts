import { describe, expect, it } from 'vitest';
import type { JobRequest } from '../../preload/contract';
import { jobTitle } from './jobs';

type RequestOf<K extends JobRequest['kind']> = Extract<JobRequest, { kind: K }>;

/** The reconstruction choice that section and volume requests share. */
const fxDenoise = { task: 'denoise', model: null, method: 'fx', tta: false, ensemble: 1, fullStrength: false } as const;

const apply: RequestOf<'apply-volume'> = {
  kind: 'apply-volume',
  volumeId: 'v1',
  surveyId: 's1',
  surveyName: 'f3.sgy',
  inputDir: '/project/surveys/s1',
  volumeDir: '/project/volumes/v1',
  ...fxDenoise,
  inlines: [0, 9],
  polygon: null,
};

const training: RequestOf<'train-model'> = {
  kind: 'train-model',
  name: 'my denoiser',
  task: 'denoise',
  config: null,
  sources: [
    { surveyId: 's1', cacheDir: '/project/surveys/s1', sourcePath: '/data/f3.sgy' },
    { surveyId: 's2', cacheDir: '/project/surveys/s2', sourcePath: '/data/penobscot.sgy' },
  ],
  epochs: 2,
  batchSize: 4,
  patch: 64,
  learningRate: 0.001,
  parentId: null,
  checkpointDir: '/project/training/t1',
  resume: false,
};

describe('jobTitle', () => {
  it('names the survey or file each job works on, so the jobs panel tells two surveys apart', () => {
    expect(jobTitle({ kind: 'import-survey', surveyId: 's1', path: '/data/f3.sgy', cacheDir: '/c' })).toBe(
      'Import f3.sgy',
    );
    expect(
      jobTitle({
        kind: 'reconstruct-section',
        surveyId: 's1',
        surveyName: 'f3.sgy',
        cacheDir: '/project/surveys/s1',
        label: 'Inline 116',
        axis: 'inline',
        index: 16,
        traceAxisName: 'crossline',
        ...fxDenoise,
      }),
    ).toBe('Denoise Inline 116 of f3.sgy');
    expect(jobTitle(apply)).toBe('Denoise f3.sgy (fx)');
    expect(jobTitle({ ...apply, surveyName: undefined })).toBe('Denoise the volume (fx)');
    expect(
      jobTitle({
        kind: 'export-volume',
        volumeId: 'v1',
        volumeDir: '/project/volumes/v1',
        surveyCacheDir: '/project/surveys/s1',
        sourcePath: '/data/f3.sgy',
        headerMap: { inline: 189, crossline: 193, offset: 37, cdpX: 181, cdpY: 185, coordinateScalar: 71 },
        path: '/out/f3-denoised.sgy',
        format: 'source',
        uncertainty: false,
        history: '',
      }),
    ).toBe('Export a volume of f3.sgy to f3-denoised.sgy');
    expect(jobTitle(training)).toBe('Train on f3.sgy, penobscot.sgy: my denoiser');
  });

  it('ends training titles with the model name, which `promethium train --resume` looks the stopped job up by', () => {
    const variants: RequestOf<'train-model'>[] = [
      training,
      { ...training, resume: true },
      { ...training, initialModelDir: '/models/base', corruption: 'recorrupted' },
    ];
    for (const request of variants) expect(jobTitle(request).endsWith(` ${request.name}`)).toBe(true);
  });
});
