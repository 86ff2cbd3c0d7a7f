/**
 * Velocity model building in Chromium against the browser mode: five shots modelled by the project's modeller over a
 * seeded flat-layer map (`promethium synth --kind velocity --shot-segy`, seed 11) are imported as a pre-stack SEG-Y;
 * "Build velocity model" runs the job (in the jobs panel), and the velocity section, its colour bar in m/s, the
 * spread, semblance + Dix and the recorded / modelled / residual shots are drawn; the build is there again after a
 * reload, and exports as depth SEG-Y.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api, VelocityBuild } from '../../preload/contract';
import { formatAmplitude } from '../../renderer/src/lib/format';
import { canvasPixels, distinctColours, importAndOpen, pixelDistance } from './flows';
import {
  hasChromium,
  openBrowser,
  ROOT,
  startServer,
  waitFor,
  type BrowserSession,
  type RunningServer,
} from './harness';

type PageGlobals = { promethium: Api };
const SHOTS = 'shots1.sgy';
const canvasOf = (testid: string) => `[data-testid="${testid}"] [data-testid="section-canvas"]`;

describe.skipIf(!hasChromium)('velocity model building', () => {
  let server: RunningServer;
  let session: BrowserSession;
  let dataDir = '';
  let surveyId = '';
  const page = () => session.page;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'promethium-e2e-velocity-'));
    const generated = path.join(dataDir, 'generated');
    execFileSync(
      process.execPath,
      ['bin/promethium.cjs', 'synth', '--kind', 'velocity', '--shot-segy', '--seed', '11', '--out', generated],
      { cwd: ROOT, stdio: 'pipe' },
    );
    mkdirSync(path.join(dataDir, 'segy'));
    copyFileSync(path.join(generated, SHOTS), path.join(dataDir, 'segy', SHOTS));
    server = await startServer({ env: { PROMETHIUM_DATA_DIRS: dataDir } });
    session = await openBrowser(server.url);
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  function result(): Promise<VelocityBuild | null> {
    return page().evaluate(
      (id) => (globalThis as unknown as PageGlobals).promethium.velocity.result(id),
      surveyId,
    ) as Promise<VelocityBuild | null>;
  }

  it('builds a velocity model from the shots of a pre-stack survey, as a job', async () => {
    surveyId = await importAndOpen(page(), SHOTS, 120_000);
    await page().getByTestId('velocity-toggle').click();
    await page().getByTestId('velocity-none').waitFor();
    await expect(page().getByTestId('velocity-panel').innerText()).resolves.toContain(
      'a 2D line 700 m long and 700 m deep at 10 m',
    );
    await page().getByTestId('velocity-build').click();
    await waitFor(
      'the build job in the jobs panel',
      () => page().locator('aside[aria-label="Jobs panel"] li.job').allInnerTexts(),
      (rows) => rows.some((row) => row.includes('Build a velocity model of shots1')),
      30_000,
    );
    await page().getByTestId('velocity-facts').waitFor({ timeout: 300_000 });
    const build = (await result())!;
    expect(build.shots.sourcePositionsM.map(Math.round)).toEqual([0, 170, 340, 520, 690]);
    await expect(page().getByTestId('velocity-residual').innerText()).resolves.toBe(
      `${(100 * build.relativeResidual).toFixed(1)} %`,
    );
  }, 420_000);

  it('draws the velocity section on a colour bar in m/s from the lowest to the highest velocity, beside semblance + Dix', async () => {
    const build = (await result())!;
    let [low, high] = [Infinity, -Infinity];
    for (const map of [build.velocity, build.baseline])
      for (const v of map) [low, high] = [Math.min(low, v), Math.max(high, v)];
    await expect(page().getByTestId('velocity-bar-velocity-low').innerText()).resolves.toBe(formatAmplitude(low));
    await expect(page().getByTestId('velocity-bar-velocity-high').innerText()).resolves.toBe(formatAmplitude(high));
    await expect(page().getByTestId('velocity-bar-velocity').innerText()).resolves.toContain('m/s');
    const velocity = page().getByTestId('velocity-map-velocity');
    await expect(velocity.locator('[data-testid="section-viewer"]').getAttribute('data-label')).resolves.toBe(
      'Ensemble velocity',
    );
    const ensemblePixels = await canvasPixels(page(), canvasOf('velocity-map-velocity'));
    const baselinePixels = await canvasPixels(page(), canvasOf('velocity-map-baseline'));
    expect(distinctColours(ensemblePixels)).toBeGreaterThan(20);
    expect(distinctColours(baselinePixels)).toBeGreaterThan(5);
    // Square cells: the 70 x 70 map is drawn as a square plot.
    const box = (await velocity.getByTestId('section-canvas').boundingBox())!;
    expect(box.width).toBeGreaterThan(100);

    await page().getByTestId('velocity-spread-toggle').check();
    await page().getByTestId('velocity-map-spread').waitFor();
    let maxSpread = 0;
    for (const v of build.spread) maxSpread = Math.max(maxSpread, v);
    await expect(page().getByTestId('velocity-bar-spread-high').innerText()).resolves.toBe(formatAmplitude(maxSpread));
    const spreadPixels = await canvasPixels(page(), canvasOf('velocity-map-spread'));
    expect(pixelDistance(spreadPixels, ensemblePixels)).toBeGreaterThan(5);
    await page().getByTestId('velocity-spread-toggle').uncheck();
    await session.screenshot('velocity-build');
  });

  it('shows a recorded shot next to the shot modelled over the map and their difference', async () => {
    await page().getByTestId('velocity-shot').selectOption('0');
    const [recorded, modelled, residual] = await Promise.all(
      ['input', 'modelled', 'difference'].map((id) => canvasPixels(page(), canvasOf(`velocity-shot-${id}`))),
    );
    for (const pixels of [recorded!, modelled!, residual!]) expect(distinctColours(pixels)).toBeGreaterThan(10);
    expect(pixelDistance(recorded!, residual!)).toBeGreaterThan(1);
    await expect(
      page().getByTestId('velocity-shot-input').locator('[data-testid="section-viewer"]').getAttribute('data-label'),
    ).resolves.toBe('Recorded shot');
  });

  it('opens the stored build again after a reload and exports it as depth SEG-Y', async () => {
    await page().reload();
    await page().locator('[data-testid="survey-list"] li', { hasText: 'shots1' }).getByRole('button').click();
    await page().getByTestId('velocity-toggle').click();
    await page().getByTestId('velocity-facts').waitFor({ timeout: 30_000 });
    const target = path.join(server.home, 'velocity.sgy');
    const form = page().getByTestId('velocity-export');
    await form.getByRole('textbox').fill(target);
    await form.getByRole('button', { name: 'Export' }).click();
    await page().getByTestId('velocity-exported').waitFor();
    expect(existsSync(target)).toBe(true);
    // 3600-byte headers + 70 traces of (240 + 70 x 4) bytes.
    expect(statSync(target).size).toBe(3600 + 70 * (240 + 280));
  });
});
