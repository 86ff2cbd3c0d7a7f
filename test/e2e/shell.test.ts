/**
 * The app shell end to end: the built browser mode in Debian's Chromium. One server and one page for the whole file
 * (the tests run in order and share the session, like an interpreter's working session), no page errors throughout.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Api, JobInfo, SystemInfo } from '../../preload/contract';
import {
  CHROMIUM_PATH,
  hasChromium,
  openBrowser,
  startServer,
  waitFor,
  type BrowserSession,
  type RunningServer,
} from './harness';

if (!hasChromium) {
  console.warn(
    `[e2e] ${CHROMIUM_PATH} not found: the browser end-to-end tests are SKIPPED (apt install chromium, or set PROMETHIUM_CHROMIUM).`,
  );
}

type PageGlobals = { promethium: Api };
interface CallFailure {
  code: string;
  message: string;
}

describe.skipIf(!hasChromium)('app shell in the browser mode', () => {
  let server: RunningServer;
  let session: BrowserSession;

  beforeAll(async () => {
    server = await startServer();
    session = await openBrowser(server.url);
  });

  afterAll(async () => {
    await session?.close();
    await server?.stop();
  });

  const page = () => session.page;
  const panel = () => page().locator('aside[aria-label="Jobs panel"]');
  const statusBar = () => page().locator('footer');

  function systemInfo(): Promise<SystemInfo> {
    return page().evaluate(() => (globalThis as unknown as PageGlobals).promethium.system.info());
  }

  function getJob(id: string): Promise<JobInfo> {
    return page().evaluate((jobId) => (globalThis as unknown as PageGlobals).promethium.jobs.get(jobId), id);
  }

  async function startSelfTestFromUi(): Promise<string> {
    await page().locator('nav').getByRole('button', { name: 'System', exact: true }).click();
    const button = page().getByRole('button', { name: 'Compute self-test', exact: true });
    await button.click();
    const row = panel().locator('li[data-job-id]').first();
    await waitFor(
      'the new job in the jobs panel',
      () => row.getAttribute('data-state'),
      (state) => state === 'queued' || state === 'running',
    );
    const id = await row.getAttribute('data-job-id');
    expect(id).toMatch(/^[0-9a-f-]{8,}$/);
    return id!;
  }

  it('renders the sidebar, main view, jobs panel and status bar', async () => {
    await expect(page().title()).resolves.toBe('Promethium');
    for (const landmark of ['nav', 'main', 'aside', 'footer']) {
      await expect(page().locator(landmark).count(), landmark).resolves.toBe(1);
      await expect(page().locator(landmark).isVisible(), landmark).resolves.toBe(true);
    }
    await waitFor(
      'the connection',
      () => statusBar().getByTestId('status-connection').innerText(),
      (text) => text.includes('connected'),
    );
    // The survey and model lists arrive after the connection: wait for them, then read the sidebar.
    const sidebar = await waitFor(
      'the survey and model lists',
      () => page().locator('nav').innerText(),
      (text) => text.includes('No surveys yet') && text.includes('U-Net denoise v1'),
    );
    expect(sidebar).toContain('No surveys yet — File › Open SEG-Y…');
    // The bundled models (resources/models) are listed, read-only, before any trained one.
    expect(sidebar).toContain('U-Net denoise v1');
    expect(sidebar).toContain('denoise · bundled');
    expect(sidebar).toContain('U-Net interpolation v1');
    await waitFor(
      'the project name',
      () => page().getByTestId('project-name').innerText(),
      (name) => name === 'default',
    );
    await expect(statusBar().getByTestId('status-project').innerText()).resolves.toContain('default');
    const home = await page().locator('main').innerText();
    expect(home).toContain('Welcome to Promethium');
    for (const step of ['Open SEG-Y', 'Browse', 'Denoise / interpolate', 'Export']) expect(home).toContain(step);
    await waitFor(
      'the recent projects',
      () => page().locator('main table').innerText(),
      (text) => text.includes('default'),
    );
    // The favicon is served (no 404 in the console) and the page is dark.
    const favicon = await page().evaluate(() => fetch('favicon.svg').then((response) => response.status));
    expect(favicon).toBe(200);
    const background = await page().evaluate<string>('getComputedStyle(document.body).backgroundColor');
    expect(background).toBe('rgb(21, 24, 29)');
    await session.screenshot('01-home');
  });

  it('names the compute backend in the status bar and the fallback reasons on the System page', async () => {
    const label = await waitFor(
      'the compute backend in the status bar',
      () => statusBar().getByTestId('status-compute').innerText(),
      (text) => /tensorflow|webgpu|wasm|cpu/.test(text),
      30_000,
    );
    const info = await systemInfo();
    const backend = info.compute.backend!;
    expect(label).toContain(`${backend.backend} · ${backend.device}`);
    expect(info.host).toBe('browser');

    await statusBar().getByTestId('status-compute').click();
    await expect(page().locator('main').getAttribute('data-view')).resolves.toBe('system');
    const compute = await page().getByTestId('system-compute').innerText();
    expect(compute).toContain(backend.device);
    // Every GPU adapter Dawn lists, or why there is none.
    expect(compute).toContain(backend.adapters[0]?.name ?? 'None found: Dawn lists no GPU adapter');
    expect(backend.fallbacks.length).toBeGreaterThan(0); // on this machine at least tensorflow is skipped
    const fallbacks = await page().getByTestId('system-fallbacks').innerText();
    for (const fallback of backend.fallbacks) {
      expect(fallbacks).toContain(fallback.backend);
      expect(fallbacks).toContain(fallback.reason);
    }
    const view = await page().locator('main').innerText();
    for (const value of [info.paths.userData, info.paths.project, info.platform, info.appVersion]) {
      expect(view).toContain(value);
    }
    // The logs folder is listed only where it exists (a fresh home has none).
    if (info.paths.logs) expect(view).toContain(info.paths.logs);
    else expect(view).not.toMatch(/^Logs\b/m);
    expect(view).toContain(`pid ${info.compute.pid}`);

    await page().getByRole('button', { name: 'Re-probe backend' }).click();
    await waitFor(
      'the re-probe notice',
      () => page().locator('[aria-label="Notifications"]').innerText(),
      (text) => text.includes('Backend probed'),
    );
    await session.screenshot('02-system');
  });

  it('shows a job whose progress bar advances, and cancels it', async () => {
    const id = await startSelfTestFromUi();
    const row = panel().locator(`li[data-job-id="${id}"]`);
    const bar = row.getByRole('progressbar');
    const seen = new Set<number>();
    await waitFor(
      'two different progress values',
      async () => {
        const now = Number(await bar.getAttribute('aria-valuenow'));
        if (now > 0) seen.add(now);
        return seen.size;
      },
      (count) => count >= 2,
      20_000,
      100,
    );
    expect(await row.locator('.percent').innerText()).toMatch(/^\d{1,3}%$/);
    await waitFor(
      'an ETA',
      () => row.innerText(),
      (text) => /ETA (<1|\d+) (s|min)/.test(text),
    );
    await session.screenshot('03-job-running');

    await row.getByRole('button', { name: /^Cancel/ }).click();
    await waitFor(
      'the cancelled state',
      () => row.getAttribute('data-state'),
      (state) => state === 'cancelled',
    );
    await expect(row.locator('[data-state="cancelled"]').innerText()).resolves.toBe('cancelled');
    await expect(row.getByRole('button', { name: /^Cancel/ }).count()).resolves.toBe(0);
    const job = await getJob(id);
    expect(job.state).toBe('cancelled');
    expect(job.progress).toBeLessThan(1);
  });

  it('runs a second job to completion and shows its result', async () => {
    const id = await startSelfTestFromUi();
    const card = page().getByTestId('self-test');
    await waitFor(
      'the self-test to finish',
      () => card.locator('[data-job-id]').getAttribute('data-state'),
      (state) => state === 'done',
      45_000,
      200,
    );
    const job = await getJob(id);
    expect(job.state).toBe('done');
    const result = job.result as { count: number; min: number; max: number; rms: number; p99Abs: number };
    expect(result.count).toBe(240 * 400 * 1000);
    expect(result.min).toBeLessThan(0);
    expect(result.max).toBeGreaterThan(0);
    expect(result.rms).toBeGreaterThan(0);
    // The self-test card shows the statistics; the jobs panel row shows them on one line.
    await expect(card.locator('[data-stat="count"] dd').innerText()).resolves.toBe('96,000,000');
    for (const stat of ['min', 'max', 'mean', 'rms', 'p99']) {
      await expect(card.locator(`[data-stat="${stat}"] dd`).innerText()).resolves.toMatch(/^-?\d/);
    }
    const row = panel().locator(`li[data-job-id="${id}"]`);
    await expect(row.getAttribute('data-state')).resolves.toBe('done');
    await expect(row.innerText()).resolves.toContain('n 96,000,000');
    await expect(row.getByRole('progressbar').getAttribute('aria-valuenow')).resolves.toBe('100');
    await session.screenshot('04-self-test-done');

    await page().locator('nav').getByRole('button', { name: 'Jobs' }).click();
    const table = await page().locator('main table').innerText();
    expect(table).toContain('cancelled');
    expect(table).toContain('done');
    await session.screenshot('05-jobs');
  });

  it('answers malformed API calls with readable invalid-argument errors', async () => {
    const failure = (call: 'cancel-number' | 'start-unknown-kind') =>
      page().evaluate(async (which): Promise<CallFailure | null> => {
        const api = (globalThis as unknown as PageGlobals).promethium;
        try {
          if (which === 'cancel-number') await api.jobs.cancel(42 as unknown as string);
          else await api.jobs.start({ kind: 'nope' } as unknown as Parameters<Api['jobs']['start']>[0]);
          return null;
        } catch (error) {
          const { code, message } = error as CallFailure;
          return { code, message };
        }
      }, call);

    const cancel = await failure('cancel-number');
    expect(cancel?.code).toBe('invalid-argument');
    expect(cancel?.message).toContain('jobs.cancel');
    expect(cancel?.message).toContain('argument 1');

    const start = await failure('start-unknown-kind');
    expect(start?.code).toBe('invalid-argument');
    expect(start?.message).toContain('jobs.start');
    expect(start?.message).toMatch(/kind/);
  });

  it('opens projects by server path in the browser mode, with failures shown as dismissible notices', async () => {
    await page().locator('nav').getByRole('button', { name: 'Open project…' }).click();
    const form = page().locator('form[aria-labelledby="open-project-title"]');
    await form.waitFor();
    const input = form.getByLabel('Project folder path on the server');

    await input.fill(path.join(server.home, 'no-such-project'));
    await form.getByRole('button', { name: 'Open project' }).click();
    const notices = page().locator('[aria-label="Notifications"]');
    const alert = notices.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('Opening the project');
    await session.screenshot('06-open-project-error');
    await alert.getByRole('button', { name: /^Dismiss/ }).click();
    await expect(alert.count()).resolves.toBe(0);

    const second = path.join(server.home, 'projects', 'e2e-second');
    await input.fill(second);
    await form.getByLabel('create it if new').check();
    await form.getByRole('button', { name: 'Create project' }).click();
    await waitFor(
      'the new project',
      () => statusBar().getByTestId('status-project').innerText(),
      (text) => text.includes('e2e-second'),
    );
    await expect(form.count()).resolves.toBe(0);
    await expect(page().getByTestId('project-name').innerText()).resolves.toBe('e2e-second');
    // A fresh project has no jobs yet.
    await waitFor(
      'the new project’s empty jobs list',
      () => page().locator('main').innerText(),
      (text) => text.includes('No jobs in this project yet'),
    );
  });

  it('collapses and expands the jobs panel', async () => {
    const toggle = panel().getByRole('button', { name: 'Jobs', exact: true });
    await toggle.click();
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(panel().locator('#jobs-panel-body').count()).resolves.toBe(0);
    await toggle.click();
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
  });

  it('refuses HTTP requests without or with a wrong token', async () => {
    const missing = await fetch(`${server.origin}/`);
    expect(missing.status).toBe(401);
    const wrong = await fetch(`${server.origin}/?token=${'0'.repeat(48)}`);
    expect(wrong.status).toBe(403);
    // The right token becomes a cookie and leaves the address: a redirect to the same page without it.
    const right = await fetch(server.url, { redirect: 'manual' });
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/');
    expect(page().url()).not.toContain('token=');
  });

  it('refuses a cross-origin WebSocket upgrade even with the right token', async () => {
    const socketUrl = `${server.origin.replace(/^http/, 'ws')}/api?token=${server.token}`;
    const attempt = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(socketUrl, { origin });
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('unexpected-response', (_request, response) => {
          resolve(response.statusCode ?? 0);
          ws.terminate();
        });
        ws.once('error', (error) => reject(error));
      });
    await expect(attempt('http://evil.example')).resolves.toBe(403);
    await expect(attempt(server.origin)).resolves.toBe(101); // the same token from the page's own origin is accepted
  });

  it('had no page errors and no console errors over the whole session', () => {
    expect(session.errors).toEqual([]);
  });

  it('shows the lost connection in the status bar when the server stops', async () => {
    const before = session.errors.length;
    await server.stop();
    await waitFor(
      'the disconnected state',
      () => statusBar().getByTestId('status-connection').innerText(),
      (text) => text.includes('disconnected'),
    );
    await session.screenshot('07-disconnected');
    // Chromium itself logs each failed reconnection attempt; anything else would be an error of ours.
    const unexpected = session.errors.slice(before).filter((error) => !/WebSocket connection to .* failed/.test(error));
    expect(unexpected).toEqual([]);
  });
});
