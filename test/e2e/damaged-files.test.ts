/**
 * A damaged project database in the browser mode: the server starts anyway, the page says which file is damaged and
 * that the project is read-only, and "Move it aside and start fresh" renames the file (kept byte for byte) and opens a
 * fresh project in its place.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, openBrowser, startServer, type BrowserSession, type RunningServer } from './harness';

const GARBAGE = Buffer.alloc(8192, 'not a database ');

describe.skipIf(!hasChromium)('damaged project database in the browser mode', () => {
  let server: RunningServer;
  let session: BrowserSession;
  const projectDir = (home: string): string => path.join(home, 'projects', 'default');

  beforeAll(async () => {
    server = await startServer({
      prepareHome: (home) => {
        mkdirSync(projectDir(home), { recursive: true });
        writeFileSync(path.join(projectDir(home), 'project.sqlite'), GARBAGE);
      },
    });
    session = await openBrowser(server.url);
  });

  afterAll(async () => {
    await session?.close();
    await server?.stop();
  });

  it('names the file, shows read-only, and moves the file aside on request', async () => {
    const page = session.page;
    const file = path.join(projectDir(server.home), 'project.sqlite');
    expect(server.output()).toContain(`warning: ${file} is damaged`);
    const notice = page.getByTestId('damaged-file');
    await expect(notice.textContent({ timeout: 15_000 })).resolves.toContain(`${file} is damaged`);
    await expect(page.getByTestId('status-read-only').textContent()).resolves.toBe('read-only');

    await notice.getByRole('button', { name: 'Move it aside and start fresh' }).click();
    await page.getByTestId('status-project').waitFor();
    await page.getByTestId('damaged-file').waitFor({ state: 'detached', timeout: 15_000 });
    expect(await page.getByTestId('status-read-only').count()).toBe(0);
    const kept = readdirSync(projectDir(server.home)).filter((name) => name.startsWith('project.sqlite.damaged-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(projectDir(server.home), kept[0]!)).equals(GARBAGE)).toBe(true);
    expect(session.errors).toEqual([]);
  }, 60_000);
});
