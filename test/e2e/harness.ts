/**
 * End-to-end harness: the BUILT app in its browser mode (`promethium serve`, a fresh PROMETHIUM_HOME), driven in Debian's
 * Chromium through playwright-core. Collects page errors and console errors so a test can assert there were none, saves
 * screenshots under test-results/e2e/, and tears everything down (server process group, browser, temp folder).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { toolAvailable } from '../testTools';
import type { Api } from '../../preload/contract';

/** The repository: two levels up from this file, or the working directory when this code runs bundled (benchmarks). */
export const ROOT = existsSync(path.resolve(__dirname, '..', '..', 'bin', 'promethium.cjs'))
  ? path.resolve(__dirname, '..', '..')
  : process.cwd();
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'e2e');
export const CHROMIUM_PATH = process.env.PROMETHIUM_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = toolAvailable(existsSync(CHROMIUM_PATH), `${CHROMIUM_PATH} not found (Debian's chromium)`);

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const SERVER_START_MS = 30_000;

/** The page's `window.promethium`, for page.evaluate callbacks (the test tsconfig has no DOM types). */
export function pageApi(): Api {
  const api = (globalThis as { promethium?: Api }).promethium;
  if (!api) throw new Error('window.promethium is not set');
  return api;
}

export interface RunningServer {
  /** The printed URL, token included. */
  url: string;
  origin: string;
  token: string;
  home: string;
  /** The server's process id (its compute process is a child of it). */
  pid: number;
  /** Everything the server printed so far (stdout and stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

function checkBuilt(): void {
  const needed = ['dist/cli.cjs', 'dist/compute.cjs', 'dist/renderer/index.html'];
  const missing = needed.filter((file) => !existsSync(path.join(ROOT, file)));
  if (missing.length > 0) {
    throw new Error(`the app is not built (${missing.join(', ')} missing): run npm run build before the e2e tests`);
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the server and its compute process: it was started as a group leader
  } catch {
    // already gone
  }
}

/**
 * Starts `node bin/promethium.cjs serve --port 0` with a fresh PROMETHIUM_HOME and waits for its URL. `env` adds to the
 * server's environment (e.g. PROMETHIUM_DATA_DIRS, the folders its file picker may show and its API may use; the
 * fresh home is added to them); `prepareHome` puts files in that home before the server starts (e.g. a damaged
 * database).
 */
export async function startServer(
  options: { env?: Record<string, string>; prepareHome?: (home: string) => void } = {},
): Promise<RunningServer> {
  checkBuilt();
  const home = mkdtempSync(path.join(os.tmpdir(), 'promethium-e2e-'));
  options.prepareHome?.(home);
  const child = spawn(process.execPath, ['bin/promethium.cjs', 'serve', '--port', '0'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...options.env,
      // The server's own home is a data folder too, so tests may create projects and write exports there.
      PROMETHIUM_DATA_DIRS: [options.env?.PROMETHIUM_DATA_DIRS ?? os.homedir(), home].join(path.delimiter),
      PROMETHIUM_HOME: home,
      PROMETHIUM_NO_OPEN: '1',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    killGroup(child, 'SIGKILL'); // a compute process left behind in the group
    rmSync(home, { recursive: true, force: true });
  };

  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the server printed no URL within ${SERVER_START_MS / 1000} s:\n${output}`)),
        SERVER_START_MS,
      );
      const look = (): void => {
        const match = /running in the browser mode at (http:\/\/\S+)/.exec(output);
        if (!match?.[1]) return;
        clearTimeout(timer);
        resolve(match[1]);
      };
      child.stdout.on('data', look);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${signal ?? `code ${code}`}) before printing its URL:\n${output}`));
      });
    });
    const parsed = new URL(url);
    return {
      url,
      origin: parsed.origin,
      token: parsed.searchParams.get('token') ?? '',
      home,
      pid: child.pid!,
      output: () => output,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface BrowserSession {
  browser: Browser;
  page: Page;
  /** Uncaught page errors and console errors seen so far. */
  errors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Opens the app's URL in a fresh headless Chromium page at a workstation-like size. `scrollbars`: draw them as a
 * desktop does (headless hides them), for layouts whose width a scrollbar changes.
 */
export async function openBrowser(url: string, options: { scrollbars?: boolean } = {}): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: options.scrollbars ? ['--hide-scrollbars'] : [],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()} (${message.location().url})`);
  });
  await page.goto(url);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    browser,
    page,
    errors,
    async screenshot(name) {
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      await browser.close();
    },
  };
}

/** Polls `read` until it returns a value `accept`s, or fails with the last value seen. */
export async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last seen: ${JSON.stringify(last)})`);
}
