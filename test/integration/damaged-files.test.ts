/**
 * Damaged and read-only projects with real files. In the app, damaged databases are offered to be moved aside; through
 * the built CLI, a damaged project.sqlite exits with code 3 and names the file. A project on a read-only disk opens read-only and refuses writes: the test bind-mounts the
 * project read-only in a private mount namespace (`unshare --mount`), because it runs as root and root ignores file
 * permissions, while a read-only mount refuses root too; it is skipped, saying why, where namespaces are not allowed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromethiumError } from '../../preload/contract';
import { openServices } from '../support/services';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-damaged-files-'));
const home = path.join(work, 'home');
const survey = path.join(work, 'line.sgy');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function promethium(args: string[], wrapper: string[] = []): { status: number; stdout: string; stderr: string } {
  const command = [...wrapper, process.execPath, 'bin/promethium.cjs', ...args];
  const result = spawnSync(command[0]!, command.slice(1), {
    encoding: 'utf8',
    env: { ...process.env, PROMETHIUM_HOME: home },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function importedProject(name: string): string {
  const projectDir = path.join(work, name);
  const imported = promethium(['import', survey, '--project', projectDir, '--json']);
  expect(imported.status, imported.stderr).toBe(0);
  return projectDir;
}

/** Runs the CLI with `dir` bind-mounted read-only over itself, seen only by that process. */
const readOnlyMount = (dir: string): string[] => [
  ...['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c'],
  'mount --bind -o ro "$0" "$0" && exec "$@"',
  dir,
];
const canMount = spawnSync('unshare', readOnlyMount(work).slice(1).concat('true'), { stdio: 'ignore' }).status === 0;
if (!canMount) console.log('[damaged-files] read-only test skipped: unshare --mount is not permitted here');

beforeAll(() => {
  const made = promethium(['synth', '--out', survey, '--inlines', '6', '--crosslines', '20', '--samples', '100']);
  expect(made.status, made.stderr).toBe(0);
}, 60_000);

describe('damaged databases in the app', () => {
  it('starts on stand-ins, offers both files, and moves them aside without deleting anything', () => {
    const appHome = path.join(work, 'app-home');
    const projectDir = path.join(work, 'north-sea');
    const [appFile, projectFile] = [path.join(appHome, 'app.sqlite'), path.join(projectDir, 'project.sqlite')];
    mkdirSync(appHome, { recursive: true });
    mkdirSync(projectDir, { recursive: true });
    writeFileSync(projectFile, Buffer.alloc(8192, 'garbage!'));
    writeFileSync(appFile, 'garbage');

    const services = openServices({ home: appHome, projectDir, damagedDatabases: 'offer' });
    try {
      expect(services.damagedFiles().map(({ file, kind }) => [file, kind])).toEqual([
        [appFile, 'app'],
        [projectFile, 'project'],
      ]);
      expect(services.project.info().readOnly).toContain(`${projectFile} is damaged`);
      expect(() => services.project.settings.set('x', 1)).toThrow();
      expect(() => services.moveDamagedAside('/etc/passwd')).toThrow(PromethiumError);

      const { movedTo, project } = services.moveDamagedAside(projectFile);
      expect(project.readOnly).toBeNull();
      expect(readFileSync(movedTo).equals(Buffer.alloc(8192, 'garbage!'))).toBe(true);
      expect(path.basename(movedTo)).toMatch(/^project\.sqlite\.damaged-\d{4}-\d\d-\d\dT/);
      services.project.settings.set('x', 1);
      expect(services.project.settings.get('x')).toBe(1);

      services.moveDamagedAside(appFile);
      expect(services.damagedFiles()).toEqual([]);
      expect(readdirSync(appHome).filter((name) => name.startsWith('app.sqlite.damaged-'))).toHaveLength(1);
      expect(services.app.recentProjects()).toEqual([]);
    } finally {
      services.close();
    }
    expect(existsSync(appFile)).toBe(true);
  });
});

describe('damaged project database in the CLI', () => {
  it('exits with code 3 and names the file, leaving it as it was', () => {
    const projectDir = importedProject('damaged');
    const file = path.join(projectDir, 'project.sqlite');
    writeFileSync(file, Buffer.alloc(16384, 'garbage '));
    const run = promethium(['export-volume', '--project', projectDir, '0000000000', path.join(work, 'out.sgy')]);
    expect(run.status).toBe(3);
    expect(run.stderr).toContain(`promethium: ${file} is damaged: SQLite cannot read it`);
    expect(readFileSync(file).equals(Buffer.alloc(16384, 'garbage '))).toBe(true);
  }, 60_000);
});

describe.skipIf(!canMount)('read-only project in the CLI', () => {
  it('opens read-only, says so, refuses a write with a clear error and writes nothing', () => {
    const projectDir = importedProject('read-only');
    const before = readdirSync(projectDir, { recursive: true });
    const read = promethium(
      ['export-volume', '--project', projectDir, '0000000000', path.join(work, 'x.sgy')],
      readOnlyMount(projectDir),
    );
    expect(read.stderr).toContain(`note: ${projectDir} cannot be written`);
    expect(read.stderr).toContain('no volume 0000000000 in this project');
    expect(read.status).toBe(2);

    const write = promethium(['import', survey, '--project', projectDir], readOnlyMount(projectDir));
    expect(write.stderr).toContain('promethium: the project is open read-only');
    expect(write.status).toBe(4);
    expect(readdirSync(projectDir, { recursive: true })).toEqual(before);
  }, 60_000);
});
