/**
 * Apply to volume, export and "Adapt to this survey", end to end in Chromium against the browser mode: open F3, apply
 * the f-x deconvolution to every inline through the "Apply to volume…" dialog, watch the volume in the survey's Volumes
 * list become ready, export it through "Export…" to a temporary path (the server runs on this machine), and check the
 * file with Debian's segyio: all 414 traces, the source's trace headers, processed samples. Then adapt the default
 * denoising model to the survey with a 3 s budget and see the adapted model join the model choices.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api, JobInfo } from '../../preload/contract';
import { hasTestdata, SEGYIO_PYTHON, TESTDATA_DIR, testdataPath } from '../testdata';
import { importAndOpen } from './flows';
import { hasChromium, openBrowser, startServer, waitFor, type BrowserSession, type RunningServer } from './harness';

const APPLY_MS = 180_000;
const ADAPT_MS = 180_000;

function segyioAvailable(): boolean {
  try {
    execFileSync(SEGYIO_PYTHON, ['-c', 'import segyio, numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const hasSegyio = segyioAvailable();
if (!hasSegyio) console.warn('[volume-workflow] segyio is not installed: the segyio checks of the export are SKIPPED');

/** segyio's view of the source and the export: trace counts, a few traces' header dicts, how the samples differ. */
const COMPARE_SCRIPT = `
import json, sys
import numpy as np
import segyio
source, exported = sys.argv[1], sys.argv[2]
with segyio.open(source, ignore_geometry=True) as s, segyio.open(exported, ignore_geometry=True) as e:
    picks = sorted({0, 1, s.tracecount // 2, s.tracecount - 1})
    d = lambda h: {str(int(k)): int(v) for k, v in h.items()}
    a = s.trace.raw[:].astype('f8')
    b = e.trace.raw[:].astype('f8') if e.tracecount == s.tracecount else None
    print(json.dumps({
        'sourceTraces': s.tracecount, 'exportedTraces': e.tracecount,
        'sourceSamples': len(s.samples), 'exportedSamples': len(e.samples),
        'picks': picks,
        'sourceHeaders': [d(s.header[i]) for i in picks],
        'exportedHeaders': [d(e.header[i]) for i in picks if i < e.tracecount],
        'tracesChanged': None if b is None else int(np.sum(np.any(a != b, axis=1))),
        'relativeRmsDifference': None if b is None else float(np.sqrt(np.mean((a - b) ** 2)) / np.sqrt(np.mean(a ** 2))),
    }))
`;

interface Comparison {
  sourceTraces: number;
  exportedTraces: number;
  sourceSamples: number;
  exportedSamples: number;
  picks: number[];
  sourceHeaders: Record<string, number>[];
  exportedHeaders: Record<string, number>[];
  tracesChanged: number | null;
  relativeRmsDifference: number | null;
}

describe.skipIf(!hasChromium || !hasTestdata)('apply to volume, export and adapt to this survey', () => {
  let server: RunningServer;
  let session: BrowserSession;
  let tmp: string;
  let exported: string;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'promethium-volume-e2e-'));
    exported = path.join(tmp, 'f3-denoise-fx.sgy');
    server = await startServer({ env: { PROMETHIUM_DATA_DIRS: TESTDATA_DIR } });
    session = await openBrowser(server.url);
  });

  afterAll(async () => {
    await session?.close();
    await server?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const page = () => session.page;
  const volumes = () => page().getByTestId('volumes');

  /** The jobs the server knows, through the page's API. */
  async function jobs(): Promise<JobInfo[]> {
    return page().evaluate(() => (globalThis as unknown as { promethium: Api }).promethium.jobs.list());
  }

  it(
    'applies the f-x deconvolution to every inline of F3 as a new volume',
    async () => {
      await importAndOpen(page(), 'f3.sgy');
      await page().getByRole('button', { name: 'Apply to volume…' }).click();
      const dialog = page().getByRole('dialog', { name: 'Apply to volume' });
      await dialog.waitFor();
      await expect(dialog.locator('button[data-task="denoise"]').getAttribute('aria-checked')).resolves.toBe('true');
      await dialog.getByTestId('apply-choice').selectOption('method:fx');
      // Default range: every inline.
      const first = await dialog.getByTestId('apply-first-inline').inputValue();
      const last = await dialog.getByTestId('apply-last-inline').inputValue();
      expect(Number(last)).toBeGreaterThan(Number(first));
      await session.screenshot('60-apply-volume-dialog');
      await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });

      const item = volumes().locator('li[data-volume-id]').first();
      await item.waitFor();
      await waitFor(
        'the apply job in the jobs panel',
        async () => (await jobs()).filter((job) => job.kind === 'apply-volume').length,
        (n) => n === 1,
      );
      await waitFor(
        'the volume ready',
        async () => ({ state: await item.getAttribute('data-state'), errors: session.errors.slice() }),
        (seen) => seen.state === 'ready' || seen.state === 'failed',
        APPLY_MS,
        250,
      );
      expect(await item.getAttribute('data-state')).toBe('ready');
      const text = await item.innerText();
      console.log(`[volume-workflow] volume: ${text.replace(/\s+/g, ' ')}`);
      expect(text).toMatch(/(\d+) \/ \1 lines/);
      expect(text).toContain('fx');
      await session.screenshot('61-volume-ready');
    },
    APPLY_MS + 60_000,
  );

  it('exports the volume to SEG-Y and segyio reads the source headers with processed samples', async () => {
    const item = volumes().locator('li[data-volume-id]').first();
    await item.getByRole('button', { name: 'Export…' }).click();
    const dialog = page().getByRole('dialog', { name: 'Export volume' });
    await dialog.waitFor();
    const prefilled = await dialog.getByTestId('export-path').inputValue();
    // The server shows real paths (symlinks resolved), so compare with the real test-data folder.
    expect(prefilled).toBe(path.join(realpathSync(path.dirname(testdataPath('segy', 'f3.sgy'))), 'f3-denoise.sgy'));
    await dialog.getByTestId('export-path').fill(exported);
    await session.screenshot('62-export-dialog');
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const job = await waitFor(
      'the export job finished',
      async () => (await jobs()).find((known) => known.kind === 'export-volume'),
      (known) => known !== undefined && (known.state === 'done' || known.state === 'failed'),
      120_000,
      250,
    );
    expect(job!.state, job!.error?.message).toBe('done');
    expect(existsSync(exported)).toBe(true);
    await page().waitForTimeout(200);
    await session.screenshot('63-exported');
  }, 180_000);

  it.skipIf(!hasSegyio)('segyio: 414 traces, the original trace headers, processed samples', () => {
    const out = execFileSync(SEGYIO_PYTHON, ['-c', COMPARE_SCRIPT, testdataPath('segy', 'f3.sgy'), exported], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const result = JSON.parse(out) as Comparison;
    console.log(
      `[volume-workflow] segyio: ${result.exportedTraces} traces x ${result.exportedSamples} samples, ` +
        `${result.tracesChanged} traces changed, relative RMS difference ${result.relativeRmsDifference?.toFixed(4)}`,
    );
    expect(result.sourceTraces).toBe(414);
    expect(result.exportedTraces).toBe(414);
    expect(result.exportedSamples).toBe(result.sourceSamples);
    expect(result.exportedHeaders).toEqual(result.sourceHeaders);
    expect(result.tracesChanged).toBeGreaterThan(0);
    expect(result.relativeRmsDifference).toBeGreaterThan(0);
  });

  it(
    'adapts the default denoising model to the survey with a 3 s budget; the adapted model joins the choices',
    async () => {
      await page().getByRole('button', { name: 'Options ▾' }).click();
      const options = page().getByRole('dialog', { name: 'Reconstruction options' });
      await options.waitFor();
      const choice = options.getByTestId('choice-denoise');
      await choice.selectOption('model:unet_denoise_v1');
      const adapt = options.getByTestId('adapt').first();
      await expect(adapt.getByTestId('adapt-budget').inputValue()).resolves.toBe('120');
      await adapt.getByTestId('adapt-budget').fill('3');
      await adapt.getByRole('button', { name: 'Adapt to this survey' }).click();
      await waitFor(
        'the adaptation job',
        async () => (await jobs()).filter((job) => job.kind === 'train-model').length,
        (n) => n === 1,
      );
      await session.screenshot('64-adapting');
      const job = await waitFor(
        'the adaptation finished',
        async () => (await jobs()).find((known) => known.kind === 'train-model'),
        (known) => known !== undefined && (known.state === 'done' || known.state === 'failed'),
        ADAPT_MS,
        500,
      );
      expect(job!.state, job!.error?.message).toBe('done');
      const labels = await waitFor(
        'the adapted model in the choices',
        () => choice.locator('option').allInnerTexts(),
        (texts) => texts.some((t) => /adapted to/i.test(t)),
      );
      console.log(`[volume-workflow] denoise choices: ${labels.join(' | ')}`);
      await page().waitForTimeout(200);
      await session.screenshot('65-adapted-model');
    },
    ADAPT_MS + 60_000,
  );

  it('had no page errors and no console errors', () => {
    expect(session.errors).toEqual([]);
  });
});
