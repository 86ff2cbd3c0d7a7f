import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../preload/contract';
import { PromethiumError } from '../../preload/contract';
import { createDispatcher, type ApiHandlers } from './dispatch';
import { dataRootsFence } from './pathFence';

/** These tests pass no paths: a fence without roots admits none. */
const noPaths = dataRootsFence([]);

const job = { id: 'abcdef12', state: 'cancelled' } as JobInfo;

function handlers(overrides: Partial<ApiHandlers['jobs']> = {}): ApiHandlers {
  const fail = (): never => {
    throw new Error('not used in this test');
  };
  return {
    project: { current: fail, open: fail, create: fail, recent: fail },
    files: { list: fail },
    survey: {
      inspect: fail,
      import: fail,
      list: fail,
      get: fail,
      liveMask: fail,
      lod: fail,
      lodCube: fail,
      remove: fail,
      setVerticalAxis: fail,
      display: fail,
      setDisplay: fail,
    },
    recordings: {
      import: fail,
      list: fail,
      get: fail,
      remove: fail,
      waveform: fail,
      spectrogram: fail,
      detect: fail,
      anomalies: fail,
      reconstruct: fail,
      reconstruction: fail,
    },
    section: { get: fail, arbitrary: fail, traceHeader: fail },
    velocity: { build: fail, result: fail, export: fail },
    reconstruct: { section: fail, result: fail },
    volumes: { apply: fail, list: fail, get: fail, remove: fail, section: fail, export: fail },
    gather: { get: fail },
    models: {
      list: () => [],
      get: fail,
      rename: fail,
      remove: fail,
      export: fail,
      import: fail,
      configs: fail,
      train: fail,
      adapt: fail,
    },
    cluster: {
      settings: fail,
      updateSettings: fail,
      check: fail,
      apply: fail,
      list: fail,
      resume: fail,
      cancel: fail,
      importSurvey: fail,
      imports: fail,
      resumeImport: fail,
      cancelImport: fail,
      train: fail,
      trainings: fail,
      resumeTraining: fail,
      cancelTraining: fail,
    },
    jobs: { list: () => [], get: fail, start: fail, cancel: () => job, resume: fail, ...overrides },
    system: { info: fail, backend: fail, showOpenDialog: fail, damagedFiles: fail, moveDamagedAside: fail },
  };
}

describe('API dispatcher', () => {
  it('calls the handler with validated arguments', async () => {
    const dispatch = createDispatcher(handlers(), noPaths);
    expect(await dispatch('jobs.cancel', ['abcdef12'])).toEqual({ ok: true, value: job });
    expect(await dispatch('models.list', [])).toEqual({ ok: true, value: [] });
  });

  it('answers malformed calls with readable invalid-argument errors', async () => {
    const dispatch = createDispatcher(handlers(), noPaths);
    const wrongType = await dispatch('jobs.cancel', [42]);
    expect(wrongType).toEqual({
      ok: false,
      error: { code: 'invalid-argument', message: expect.stringMatching(/^jobs\.cancel: argument 1: .*string/) },
    });
    const nested = await dispatch('jobs.start', [{ kind: 'synthetic-stats', inlines: -1, crosslines: 2, samples: 3 }]);
    expect(nested.ok).toBe(false);
    expect(!nested.ok && nested.error.message).toMatch(/jobs\.start: argument 1 \(inlines\)/);
    expect(await dispatch('jobs.cancel', 'abcdef12')).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(await dispatch('jobs.cancel', [])).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    const strength = await dispatch('reconstruct.section', [
      { surveyId: 'abcdef12', axis: 'inline', index: 0, task: 'denoise', fullStrength: 'yes' },
    ]);
    expect(!strength.ok && strength.error.message).toMatch(/reconstruct\.section: argument 1 \(fullStrength\)/);
  });

  it('refuses unknown and malformed method names, including prototype keys', async () => {
    const dispatch = createDispatcher(handlers(), noPaths);
    for (const method of ['jobs.nope', 'nope.list', 'jobs.constructor', '__proto__.toString', 'jobs', 42, null]) {
      expect(await dispatch(method, [])).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    }
  });

  it('passes typed errors through and wraps unexpected ones', async () => {
    const typed = createDispatcher(
      handlers({
        get: () => {
          throw new PromethiumError('not-found', 'no job abcdef12 in this project');
        },
      }),
      noPaths,
    );
    expect(await typed('jobs.get', ['abcdef12'])).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'no job abcdef12 in this project' },
    });
    const io = createDispatcher(
      handlers({
        list: () => {
          throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC', path: '/data/out.sgy' });
        },
      }),
      noPaths,
    );
    expect(await io('jobs.list', [])).toEqual({
      ok: false,
      error: { code: 'io', message: '/data/out.sgy: the disk is full' },
    });
  });

  it('makes a missing handler a compile error', () => {
    // @ts-expect-error -- `cancel` is missing: the handler map must implement the whole contract.
    const incomplete: ApiHandlers['jobs'] = { list: () => [], get: () => job, start: () => job };
    expect(incomplete).toBeDefined();
  });
});
