/**
 * Velocity model building in Chromium against the browser mode: five shots modelled by the project's modeller over a
 * seeded flat-layer map (`promethium synth --kind velocity --shot-segy`, seed 11) are imported as a pre-stack SEG-Y;
 * "Build velocity model" runs the job (in the jobs panel), and the velocity section, its colour bar in m/s, the
 * spread, semblance + Dix and the recorded / modelled / residual shots are drawn (the gathers' display controls,
 * spectra and the toolbar's gather stepping are hidden meanwhile, and back on the same gather after); the build is
 * there again after a reload, and exports as depth SEG-Y on the survey's line (segyio as the oracle) and as .npy. A
 * survey of two shots is refused with the reason, in the panel.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api, VelocityBuild } from '../../preload/contract';
import { writeNewSegy } from '../../main/segy/writer';
import { formatAmplitude } from '../../renderer/src/lib/format';
import { SEGYIO_PYTHON } from '../testdata';
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
const TWO_SHOTS = 'two_shots.sgy';

/** Two shots (at 0 and 690 m) of 70 receivers every 10 m along x: a line the network cannot take (it needs five). */
async function writeTwoShots(file: string): Promise<void> {
  const traces = 140;
  await writeNewSegy(file, {
    samples: Float32Array.from({ length: traces * 1000 }, (_, k) => Math.sin(k / 7)),
    traceCount: traces,
    samplesPerTrace: 1000,
    sampleIntervalUs: 1000,
    traceHeaders: {
      fieldRecord: Int32Array.from({ length: traces }, (_, t) => 1 + Math.floor(t / 70)),
      traceNumber: Int32Array.from({ length: traces }, (_, t) => 1 + (t % 70)),
      coordinateScalar: 1,
      sourceX: Int32Array.from({ length: traces }, (_, t) => 1000 + (t < 70 ? 0 : 690)),
      sourceY: 5000,
      groupX: Int32Array.from({ length: traces }, (_, t) => 1000 + (t % 70) * 10),
      groupY: 5000,
      offset: Int32Array.from({ length: traces }, (_, t) => Math.abs((t % 70) * 10 - (t < 70 ? 0 : 690))),
    },
  });
}
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
    await writeTwoShots(path.join(dataDir, 'segy', TWO_SHOTS));
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

  /** How many of the toolbar's gather controls are on the page: the Gather button, slider, ‹ › and gather number. */
  async function gatherControls(): Promise<Record<'axes' | 'slider' | 'steps' | 'number', number>> {
    const toolbar = page().getByTestId('survey-toolbar');
    return {
      axes: await toolbar.locator('[data-axis="gather"]').count(),
      slider: await toolbar.locator('input[type="range"]').count(),
      steps: await toolbar.locator('button[aria-label^="Previous"], button[aria-label^="Next"]').count(),
      number: await toolbar.getByTestId('line-number').count(),
    };
  }

  it('builds a velocity model from the shots of a pre-stack survey, as a job', async () => {
    surveyId = await importAndOpen(page(), SHOTS, 120_000);
    await page().getByTestId('display-group').waitFor();
    await page().getByTestId('spectra-group').waitFor();
    const gatherLabel = await waitFor(
      'the first gather',
      () => page().getByTestId('section-label').innerText(),
      (label) => label !== '…',
    );
    await page().getByTestId('velocity-toggle').click();
    await page().getByTestId('velocity-none').waitFor();
    // The display controls, spectra and gather stepping act on the gathers behind the panel: they are not offered
    // over it.
    await expect(page().getByTestId('display-group').count()).resolves.toBe(0);
    await expect(page().getByTestId('spectra-group').count()).resolves.toBe(0);
    await expect(gatherControls()).resolves.toEqual({ axes: 0, slider: 0, steps: 0, number: 0 });
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
    // Back to the gathers and again to the panel while the job runs: the panel finds its job and shows the build.
    // The gather controls are back, on the gather shown before.
    await page().getByTestId('velocity-toggle').click();
    await page().getByTestId('display-group').waitFor();
    await expect(gatherControls()).resolves.toEqual({ axes: 1, slider: 1, steps: 2, number: 1 });
    await expect(page().getByTestId('section-label').innerText()).resolves.toBe(gatherLabel);
    await page().getByTestId('velocity-toggle').click();
    await expect(page().getByTestId('display-group').count()).resolves.toBe(0);
    await page().getByTestId('velocity-facts').waitFor({ timeout: 300_000 });
    const build = (await result())!;
    expect(build.shots.sourcePositionsM).toEqual([0, 170, 340, 520, 690].map((x) => expect.closeTo(x, 2)));
    await expect(page().getByTestId('velocity-residual').innerText()).resolves.toBe(
      `${(100 * build.relativeResidual).toFixed(1)} %`,
    );
    // Built with the default source delay: the shots' time zero is the source's start, as in the network's training.
    expect(build.sourceDelayMs).toBe(0);
    await expect(page().getByTestId('velocity-source-delay-used').innerText()).resolves.toBe('0 ms');
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

  it('opens the stored build again after a reload and exports it as depth SEG-Y on the line, and as .npy', async () => {
    await page().reload();
    await page().locator('[data-testid="survey-list"] li', { hasText: 'shots1' }).getByRole('button').click();
    await page().getByTestId('velocity-toggle').click();
    await page().getByTestId('velocity-facts').waitFor({ timeout: 30_000 });
    const target = path.join(server.home, 'velocity.sgy');
    const form = page().getByTestId('velocity-export');
    await form.getByRole('textbox').fill(target);
    await form.getByRole('button', { name: 'Export' }).click();
    await page().getByTestId('velocity-exported').waitFor();
    const build = (await result())!;
    const script = [
      'import segyio, sys, json',
      'F = segyio.TraceField',
      'with segyio.open(sys.argv[1], ignore_geometry=True) as f:',
      '    print(json.dumps({"traces": f.tracecount, "samples": len(f.samples), "dz": int(f.bin[segyio.BinField.Interval]),',
      '        "x": [f.header[i][F.CDP_X] for i in (0, 69)], "y": [f.header[i][F.CDP_Y] for i in (0, 69)],',
      '        "scalar": f.header[0][F.SourceGroupScalar], "column5": [float(v) for v in f.trace[5]]}))',
    ].join('\n');
    const read = JSON.parse(execFileSync(SEGYIO_PYTHON, ['-c', script, target], { encoding: 'utf8' })) as {
      traces: number;
      samples: number;
      dz: number;
      x: number[];
      y: number[];
      scalar: number;
      column5: number[];
    };
    expect([read.traces, read.samples, read.dz, read.scalar]).toEqual([70, 70, 10_000, -100]);
    expect(read.column5).toEqual(Array.from({ length: 70 }, (_, z) => build.velocity[z * 70 + 5]));
    // The line of the generated shots: from (500000, 6000000) m at azimuth 30 degrees, 690 m long (in cm).
    expect(read.x[0]! / 100).toBeCloseTo(500_000, 1);
    expect(read.y[0]! / 100).toBeCloseTo(6_000_000, 1);
    expect(read.x[1]! / 100).toBeCloseTo(500_000 + 690 * Math.sin(Math.PI / 6), 0);
    expect(read.y[1]! / 100).toBeCloseTo(6_000_000 + 690 * Math.cos(Math.PI / 6), 0);

    const npy = path.join(server.home, 'spread.npy');
    await page().evaluate(
      ({ id, file }) =>
        (globalThis as unknown as PageGlobals).promethium.velocity.export({
          surveyId: id,
          map: 'spread',
          format: 'npy',
          path: file,
        }),
      { id: surveyId, file: npy },
    );
    const loaded = execFileSync(
      SEGYIO_PYTHON,
      ['-c', 'import numpy, sys; a = numpy.load(sys.argv[1]); print(a.shape, a.dtype, float(a[0, 0, 3, 4]))', npy],
      { encoding: 'utf8' },
    ).trim();
    expect(loaded).toBe(`(1, 1, 70, 70) float32 ${build.spread[3 * 70 + 4]}`);
  });

  it('refuses a survey whose shots do not map to the network, saying why', async () => {
    const refused = await page().evaluate(async () => {
      const api = (globalThis as unknown as PageGlobals).promethium;
      const [survey] = await api.survey.list();
      return Promise.all([
        api.velocity.build({ surveyId: survey!.id, modelId: 'unet_denoise_v1' }).catch((e: Error) => e.message),
        api.velocity.build({ surveyId: survey!.id, sourceDelayMs: 900 }).catch((e: Error) => e.message),
      ]);
    });
    expect(refused[0]).toMatch(/is a denoise model, not a velocity ensemble/);
    expect(refused[1]).toMatch(/^velocity\.build: argument 1 \(sourceDelayMs\): .*500/);
    await importAndOpen(page(), TWO_SHOTS, 120_000);
    await page().getByTestId('velocity-toggle').click();
    await page().getByTestId('velocity-build').click();
    await waitFor(
      'the refusal',
      () =>
        page()
          .getByTestId('velocity-error')
          .innerText()
          .catch(() => ''),
      (message) => message.length > 0,
      120_000,
    );
    await expect(page().getByTestId('velocity-error').innerText()).resolves.toMatch(
      /^no shot within 10 m of 170 m along the line \(network source 2 of 5\); the nearest of the survey's 2 shots is at (0|690) m; the network knows one layout/,
    );
  }, 240_000);
});
