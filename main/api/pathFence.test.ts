import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  apiContract,
  clusterTrainInputSchema,
  methodNames,
  trainInputSchema,
  type PathAccess,
} from '../../preload/contract';
import { createDispatcher, type ApiHandlers } from './dispatch';
import { dataRootsFence, findPathArguments } from './pathFence';

const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'promethium-fence-root-')));
const outside = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'promethium-fence-outside-')));
writeFileSync(path.join(root, 'line.sgy'), 'x');
mkdirSync(path.join(root, 'exports'));
writeFileSync(path.join(outside, 'secret.sgy'), 'x');
symlinkSync(outside, path.join(root, 'escape'));
symlinkSync(path.join(outside, 'secret.sgy'), path.join(root, 'secret-link.sgy'));
symlinkSync(path.join(outside, 'not-yet.sgy'), path.join(root, 'dangling.sgy'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** Every path-taking method of the contract, with its other arguments filled in validly. */
const PATH_METHODS: Record<string, { access: PathAccess; args: (file: string) => unknown[] }> = {
  'project.open': { access: 'read', args: (file) => [file] },
  'project.create': { access: 'write', args: (file) => [file] },
  'files.list': { access: 'read', args: (file) => [file] },
  'survey.inspect': { access: 'read', args: (file) => [file] },
  'survey.import': { access: 'read', args: (file) => [{ path: file }] },
  'recordings.import': { access: 'read', args: (file) => [{ dir: file }] },
  'cluster.importSurvey': { access: 'read', args: (file) => [{ path: file }] },
  'volumes.export': {
    access: 'write',
    args: (file) => [{ volumeId: 'abcdef12', path: file, format: 'source', uncertainty: false }],
  },
  'models.export': { access: 'write', args: (file) => ['my-model', file] },
  // Parsed, so that the defaults the dispatcher fills in are in the arguments the handler is expected to get.
  'models.train': {
    access: 'read',
    args: (file) => [
      trainInputSchema.parse({ name: 'mine', task: 'denoise', surveyIds: ['abcdef12'], configFile: file }),
    ],
  },
  'cluster.train': {
    access: 'read',
    args: (file) => [
      clusterTrainInputSchema.parse({ name: 'mine', task: 'denoise', surveyIds: ['abcdef12'], configFile: file }),
    ],
  },
  'velocity.export': {
    access: 'write',
    args: (file) => [{ surveyId: 'abcdef12', map: 'velocity', format: 'segy', path: file }],
  },
  'models.import': { access: 'read', args: (file) => [file] },
  'cluster.apply': {
    access: 'write',
    args: (file) => [
      { surveyId: 'abcdef12', task: 'denoise', tta: false, ensemble: 1, fullStrength: false },
      { exportPath: file },
    ],
  },
};

/** Handlers that answer with the arguments they were given, to see what passed the fence. */
const echo = Object.fromEntries(
  Object.entries(apiContract).map(([ns, methods]) => [
    ns,
    Object.fromEntries(Object.keys(methods).map((name) => [name, (...args: unknown[]) => args])),
  ]),
) as unknown as ApiHandlers;

const dispatch = createDispatcher(echo, dataRootsFence([root]));

describe('the path fence of the API', () => {
  it('finds every path argument from the contract marks, and only those', () => {
    const found = methodNames().flatMap((method) => {
      const [ns, name] = method.split('.') as [keyof typeof apiContract, string];
      const spec = (apiContract[ns] as Record<string, { args: Parameters<typeof findPathArguments>[0] }>)[name]!;
      return findPathArguments(spec.args).map(({ access }) => [method, access]);
    });
    expect(Object.fromEntries(found)).toEqual(
      Object.fromEntries(Object.entries(PATH_METHODS).map(([method, { access }]) => [method, access])),
    );
  });

  for (const [method, { access, args }] of Object.entries(PATH_METHODS)) {
    it(`${method}: refuses paths outside the roots, through .., through symlinks and relative paths`, async () => {
      const refused = [
        path.join(outside, 'secret.sgy'),
        path.join(root, '..', path.basename(outside), 'secret.sgy'),
        path.join(root, 'escape', 'secret.sgy'),
        path.join(root, 'secret-link.sgy'),
        '/etc/shadow',
      ];
      for (const file of refused) {
        const outcome = await dispatch(method, args(file));
        expect(outcome, file).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
        expect(!outcome.ok && outcome.error.message, file).toMatch(/outside the data folders/);
      }
      const relative = await dispatch(method, args('line.sgy'));
      expect(!relative.ok && relative.error.message).toMatch(/full path/);
      const dangling = await dispatch(method, args(path.join(root, 'dangling.sgy')));
      expect(dangling.ok).toBe(false);
    });

    it(`${method}: passes the real path inside a root to the handler`, async () => {
      const file = access === 'read' ? path.join(root, 'line.sgy') : path.join(root, 'exports', 'new', 'out.sgy');
      const outcome = await dispatch(method, args(path.join(root, 'exports', '..', path.relative(root, file))));
      expect(outcome).toEqual({ ok: true, value: args(file) });
    });
  }

  it('lets through paths the host vouches for (the desktop app: files picked in its native dialog)', async () => {
    const secret = path.join(outside, 'secret.sgy');
    const desktop = createDispatcher(
      echo,
      dataRootsFence([root], (real) => real === secret),
    );
    expect(await desktop('survey.inspect', [path.join(root, 'secret-link.sgy')])).toEqual({
      ok: true,
      value: [secret],
    });
    expect(await desktop('survey.inspect', [path.join(outside, 'other.sgy')])).toMatchObject({ ok: false });
  });

  it('leaves optional path arguments that are absent alone', async () => {
    expect(await dispatch('files.list', [])).toEqual({ ok: true, value: [] });
  });
});
