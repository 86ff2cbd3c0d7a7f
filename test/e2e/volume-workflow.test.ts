/**
 * The whole workflow of issue 6 end to end, in Chromium against the browser mode, on F3 (23 x 18 x 75): open f3.sgy,
 * Denoise one inline in one click with the bundled default model (unet_denoise_v1) and see the compare view with its
 * QC figures; apply the same model to the volume through "Apply to volume…"; open lines of the derived volume in the
 * compare view from the Volumes list (and the one-click result again from its job); export the volume (as the source's
 * int16, then as IEEE float) and check each file with Debian's segyio: every trace header of the source, the volume's
 * samples. Then a volume applied on top of that volume; an ensemble (Monte Carlo dropout) volume whose compute process
 * is killed mid-job: interrupted in the list, Resume finishes it after its last line, its uncertainty exports; Remove
 * deletes a volume's files; "Adapt to this survey" with a 3 s budget.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, SystemInfo, VolumeSummary } from '../../preload/contract';
import type { ApplyVolumeProgress, ApplyVolumeResult } from '../../main/compute/applyVolume';
import { hasTestdata, SEGYIO_PYTHON, TESTDATA_DIR, testdataPath } from '../testdata';
import { insidePolygon } from '../../main/survey/regionMask';
import {
  canvasPixels,
  distinctColours,
  frameOf,
  importAndOpen,
  pixelDistance,
  surveySamples,
  volumeSamples,
} from './flows';
import { largestInMute, tracesOf } from '../integration/segyOracle';
import { hasChromium, openBrowser, startServer, waitFor, type BrowserSession, type RunningServer } from './harness';

const RECONSTRUCTION_MS = 120_000;
const APPLY_MS = 180_000;
const ADAPT_MS = 180_000;
/** Monte Carlo dropout passes of the resumed volume: enough to make each inline take a while, so the kill lands mid-job. */
const ENSEMBLE = 16;
const KILL_AFTER_LINES = 3;
const F3_TRACES = 414;
const F3_INLINES = 23;

function segyioAvailable(): boolean {
  try {
    execFileSync(SEGYIO_PYTHON, ['-c', 'import segyio, numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const hasSegyio = segyioAvailable();
if (!hasSegyio) console.warn('[volume-workflow] segyio is not installed: the segyio checks of the exports are SKIPPED');

/**
 * segyio's view of an export against its source and the volume it was written from (raw float32, [inline][crossline]
 * [sample], grid cells in sorted header order): headers, binary-header differences, the history card, and how far the
 * samples are from the volume's (after the int16 encoding's rounding and clamping when the format is 3).
 */
const CHECK_SCRIPT = `
import json, sys
import numpy as np
import segyio
source, exported, raw = sys.argv[1], sys.argv[2], sys.argv[3]
F = segyio.TraceField
with segyio.open(source, ignore_geometry=True) as s, segyio.open(exported, ignore_geometry=True) as e:
    ils = sorted({int(h[F.INLINE_3D]) for h in s.header})
    xls = sorted({int(h[F.CROSSLINE_3D]) for h in s.header})
    volume = np.fromfile(raw, dtype='<f4').reshape(len(ils), len(xls), -1).astype('f8')
    d = lambda h: {int(k): int(v) for k, v in h.items()}
    headers_equal = e.tracecount == s.tracecount and all(d(s.header[i]) == d(e.header[i]) for i in range(s.tracecount))
    binary_diff = sorted(int(k) for k, v in s.bin.items() if int(e.bin[k]) != int(v))
    a = s.trace.raw[:].astype('f8')
    b = e.trace.raw[:].astype('f8')
    expected = np.stack([volume[ils.index(int(h[F.INLINE_3D])), xls.index(int(h[F.CROSSLINE_3D]))] for h in e.header])
    if int(e.format) == 3:
        expected = np.clip(expected, -32768, 32767)
    print(json.dumps({
        'sourceTraces': s.tracecount, 'exportedTraces': e.tracecount,
        'sourceSamples': len(s.samples), 'exportedSamples': len(e.samples),
        'sourceFormat': int(s.format), 'exportedFormat': int(e.format),
        'headersEqual': bool(headers_equal), 'binaryDiff': binary_diff,
        'historyCard': e.text[0].decode('ascii', 'replace')[-80:].strip(),
        'maxErrorToVolume': float(np.max(np.abs(b - expected))),
        'tracesChanged': int(np.sum(np.any(a != b, axis=1))),
        'relativeRmsChange': float(np.sqrt(np.mean((a - b) ** 2)) / np.sqrt(np.mean(a ** 2))),
        'min': float(b.min()), 'max': float(b.max()),
    }))
`;

interface ExportCheck {
  sourceTraces: number;
  exportedTraces: number;
  sourceSamples: number;
  exportedSamples: number;
  sourceFormat: number;
  exportedFormat: number;
  headersEqual: boolean;
  binaryDiff: number[];
  historyCard: string;
  maxErrorToVolume: number;
  tracesChanged: number;
  relativeRmsChange: number;
  min: number;
  max: number;
}

describe.skipIf(!hasChromium || !hasTestdata)('denoise, apply to volume, compare, export, resume, remove (F3)', () => {
  let server: RunningServer;
  let session: BrowserSession;
  let tmp: string;
  /** The volume of the bundled model, then the ensemble volume (killed and resumed). */
  let modelVolume: VolumeSummary;
  let ensembleVolume: VolumeSummary;
  /** Applied on top of the model's volume. */
  let stackedVolume: VolumeSummary;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'promethium-volume-e2e-'));
    // Exports go to `tmp`: a data folder of the server too, or the API refuses to write there.
    server = await startServer({ env: { PROMETHIUM_DATA_DIRS: [TESTDATA_DIR, tmp].join(path.delimiter) } });
    session = await openBrowser(server.url);
  });

  afterAll(async () => {
    await session?.close();
    await server?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const page = () => session.page;
  const api = <T>(call: string) =>
    page().evaluate<T>(`(async () => { const api = window.promethium; return ${call}; })()`);
  const volumes = () => page().getByTestId('volumes');
  const itemOf = (volume: VolumeSummary) => volumes().locator(`li[data-volume-id="${volume.id}"]`);
  const compare = () => page().getByTestId('compare-view');
  const viewerOf = (panel: string) => `[data-testid="section-viewer"][data-panel="${panel}"]`;
  const panelCanvas = (panel: string) => `${viewerOf(panel)} canvas.gl`;

  const jobs = () => api<JobInfo[]>('api.jobs.list()');
  const listVolumes = () => api<VolumeSummary[]>('api.volumes.list()');

  async function waitForJob(id: string, timeoutMs: number): Promise<JobInfo> {
    const job = await waitFor(
      `job ${id} finished`,
      async () => (await jobs()).find((known) => known.id === id),
      (known) => known !== undefined && !['queued', 'running'].includes(known.state),
      timeoutMs,
      250,
    );
    expect(job!.state, job!.error?.message).toBe('done');
    return job!;
  }

  async function waitForVolumeState(volume: VolumeSummary, states: string[], timeoutMs: number): Promise<string> {
    return (await waitFor(
      `volume ${volume.name} ${states.join(' or ')}`,
      () => itemOf(volume).getAttribute('data-state'),
      (state) => state !== null && states.includes(state),
      timeoutMs,
      250,
    ))!;
  }

  /**
   * Applies the current one-click choice (and ensemble) to every inline through the dialog, on the survey or on top of
   * `parent`; returns the new volume.
   */
  async function applyToVolume(screenshot: string, parent?: VolumeSummary): Promise<VolumeSummary> {
    const before = new Set((await listVolumes()).map((v) => v.id));
    await page().getByRole('button', { name: 'Apply to volume…' }).click();
    const dialog = page().getByRole('dialog', { name: 'Apply to volume' });
    await dialog.waitFor();
    await expect(dialog.locator('button[data-task="denoise"]').getAttribute('aria-checked')).resolves.toBe('true');
    // The default: the task's bundled model, on every inline.
    await expect(dialog.getByTestId('apply-choice').inputValue()).resolves.toBe('model:unet_denoise_v1');
    await expect(dialog.getByTestId('apply-first-inline').inputValue()).resolves.toBe('111');
    await expect(dialog.getByTestId('apply-last-inline').inputValue()).resolves.toBe('133');
    if (parent) await dialog.getByTestId('apply-input').selectOption(parent.id);
    await session.screenshot(screenshot);
    await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const added = (await listVolumes()).filter((v) => !before.has(v.id));
    expect(added).toHaveLength(1);
    await itemOf(added[0]!).waitFor();
    return added[0]!;
  }

  /** Exports a volume through its "Export…" dialog to `file`; returns the finished export job. */
  async function exportVolume(
    volume: VolumeSummary,
    file: string,
    options: {
      ieee?: boolean;
      uncertainty?: boolean;
      defaultName?: string;
      /** The format the dialog must have chosen by itself. */
      defaultFormat?: 'source' | 'ieee';
      screenshot?: string;
    } = {},
  ): Promise<JobInfo> {
    const before = new Set((await jobs()).map((job) => job.id));
    await itemOf(volume).getByRole('button', { name: 'Export…' }).click();
    const dialog = page().getByRole('dialog', { name: 'Export volume' });
    await dialog.waitFor();
    if (options.ieee) await dialog.locator('button[data-format="ieee"]').click();
    if (options.uncertainty) await dialog.getByTestId('export-uncertainty').check();
    if (options.defaultFormat) {
      const chosen = dialog.locator(`button[data-format="${options.defaultFormat}"]`);
      await expect(chosen.getAttribute('aria-checked')).resolves.toBe('true');
      // F3 is int16: the dialog says the samples will be rounded when they go out in it.
      await expect(dialog.getByTestId('export-rounding').count()).resolves.toBe(
        options.defaultFormat === 'source' ? 1 : 0,
      );
    }
    if (options.defaultName) {
      // The server shows real paths (symlinks resolved), so compare with the real test-data folder.
      const folder = realpathSync(path.dirname(testdataPath('segy', 'f3.sgy')));
      await expect(dialog.getByTestId('export-path').inputValue()).resolves.toBe(
        path.join(folder, options.defaultName),
      );
    }
    await dialog.getByTestId('export-path').fill(file);
    if (options.screenshot) await session.screenshot(options.screenshot);
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const started = await waitFor(
      'the export job',
      async () => (await jobs()).find((job) => job.kind === 'export-volume' && !before.has(job.id)),
      (job) => job !== undefined,
    );
    const done = await waitForJob(started!.id, 120_000);
    expect(existsSync(file)).toBe(true);
    const row = page().locator(`aside[aria-label="Jobs panel"] li.job[data-job-id="${done.id}"]`);
    await expect(row.innerText()).resolves.toContain(`${F3_TRACES} traces → ${file}`);
    return done;
  }

  /** segyio's check of an export against the source and the volume's own samples (read through the API). */
  async function checkExport(file: string, volume: VolumeSummary, uncertainty: boolean): Promise<ExportCheck> {
    const raw = path.join(tmp, `${path.basename(file)}.f32`);
    writeFileSync(raw, await volumeSamples(page(), volume.id, uncertainty));
    const out = execFileSync(SEGYIO_PYTHON, ['-c', CHECK_SCRIPT, testdataPath('segy', 'f3.sgy'), file, raw], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const check = JSON.parse(out) as ExportCheck;
    console.log(
      `[volume-workflow] segyio ${path.basename(file)}: ${check.exportedTraces} traces x ${check.exportedSamples} ` +
        `samples, format ${check.exportedFormat}, headers equal ${check.headersEqual}, binary fields changed ` +
        `[${check.binaryDiff.join(', ')}], max |export - volume| ${check.maxErrorToVolume}, ${check.tracesChanged} ` +
        `traces changed, relative RMS change ${check.relativeRmsChange.toFixed(4)}, range ${check.min}..${check.max}; ` +
        `history "${check.historyCard}"`,
    );
    expect(check.sourceTraces).toBe(F3_TRACES);
    expect(check.exportedTraces).toBe(F3_TRACES);
    expect(check.exportedSamples).toBe(check.sourceSamples);
    expect(check.headersEqual).toBe(true);
    expect(check.historyCard).toMatch(/Promethium \d{4}-\d\d-\d\d/);
    return check;
  }

  it(
    'denoises an F3 inline in one click with the bundled model and shows the compare view with its QC figures',
    async () => {
      await importAndOpen(page(), 'f3.sgy');
      const label = await page().getByTestId('section-label').innerText();
      const denoise = page().locator('button.run[data-task="denoise"]');
      await expect(denoise.getAttribute('data-choice')).resolves.toBe('model:unet_denoise_v1');
      await denoise.click();
      await waitFor(
        'the compare view of the denoised line',
        async () => ({
          view: await page().locator('main').getAttribute('data-view'),
          task: (await compare().count()) > 0 ? await compare().getAttribute('data-task') : null,
          jobs: (await jobs()).map((job) => `${job.kind} ${job.state} ${job.message}`),
          notices: await page().locator('[role="alert"]').allInnerTexts(),
          errors: session.errors.slice(),
        }),
        (seen) => seen.view === 'compare' && seen.task === 'denoise',
        RECONSTRUCTION_MS,
        250,
      );
      expect(await compare().locator('h1').innerText()).toContain(label);
      for (const panel of ['input', 'result', 'difference']) {
        await waitFor(
          `the ${panel} panel drawn`,
          () => frameOf(page(), viewerOf(panel)),
          (n) => n >= 1,
        );
      }
      const text = async (id: string) => (await compare().getByTestId(id).innerText()).trim();
      const figures = {
        method: await text('qc-method'),
        time: await text('qc-seconds'),
        removed: await text('qc-removed-rms'),
        leakage: await text('qc-leakage'),
      };
      console.log(`[volume-workflow] one click on ${label}: ${JSON.stringify(figures)}`);
      expect(figures.method).toBe('model U-Net denoise v1'); // the bundled default, by its card's name
      expect(figures.time).toMatch(/^\d+(\.\d+)? s$/);
      expect(figures.removed).toMatch(/^\d+(\.\d+)? %$/);
      expect(Number(figures.removed.replace(' %', ''))).toBeGreaterThan(0);
      expect(figures.leakage).toMatch(/^-?\d+(\.\d+)?$/);
      await waitFor(
        'the spectra chart',
        () => compare().getByTestId('spectra-chart').getAttribute('data-ready'),
        (ready) => ready === 'true',
      );
      await page().waitForTimeout(200);
      await session.screenshot('60-one-click-denoise');
    },
    RECONSTRUCTION_MS + 60_000,
  );

  it(
    'applies the bundled model to every inline as a new volume',
    async () => {
      await compare().getByRole('button', { name: '‹ Survey' }).click();
      await page().getByTestId('survey-view').waitFor();
      modelVolume = await applyToVolume('61-apply-volume-dialog');
      const state = await waitForVolumeState(modelVolume, ['ready', 'failed'], APPLY_MS);
      expect(state).toBe('ready');
      const text = (await itemOf(modelVolume).innerText()).replace(/\s+/g, ' ');
      console.log(`[volume-workflow] volume: ${text}`);
      expect(text).toContain(`${F3_INLINES} / ${F3_INLINES} lines`);
      expect(text).toContain('model U-Net denoise v1');
      expect(text).toContain('IL 111–133');
      const job = (await jobs()).find((known) => known.kind === 'apply-volume')!;
      const result = job.result as ApplyVolumeResult;
      console.log(
        `[volume-workflow] apply: ${result.inlinesReconstructed} inlines reconstructed in ${result.seconds.toFixed(1)} s ` +
          `(${result.secondsPerReconstructedInline?.toFixed(2)} s per inline), method ${result.method}`,
      );
      expect(result.method).toBe('model U-Net denoise v1');
      expect(result.inlinesReconstructed).toBe(F3_INLINES);
      const row = page().locator(`aside[aria-label="Jobs panel"] li.job[data-job-id="${job.id}"]`);
      await expect(row.innerText()).resolves.toContain(`${F3_INLINES} inlines reconstructed`);
      await session.screenshot('62-volume-ready');
    },
    APPLY_MS + 60_000,
  );

  it('opens a line of the volume in the compare view: input, result, difference on one clip, linked zoom', async () => {
    const form = itemOf(modelVolume).getByTestId('volume-compare');
    await expect(form.getByTestId('volume-compare-line').inputValue()).resolves.toBe('122'); // the middle inline
    await form.getByTestId('volume-compare-line').fill('120');
    await form.getByRole('button', { name: 'Compare' }).click();
    await waitFor(
      'the compare view of the volume line',
      async () => ((await compare().count()) > 0 ? await compare().getAttribute('data-volume-id') : null),
      (id) => id === modelVolume.id,
    );
    expect(await compare().locator('h1').innerText()).toContain('Inline 120');
    expect(await compare().locator('h1').innerText()).toContain(modelVolume.name);
    for (const panel of ['input', 'result', 'difference']) {
      await waitFor(
        `the ${panel} panel drawn`,
        () => frameOf(page(), viewerOf(panel)),
        (n) => n >= 1,
      );
    }
    await expect(compare().getByTestId('qc-volume').innerText()).resolves.toBe(modelVolume.name);
    const removed = (await compare().getByTestId('qc-removed-rms').innerText()).trim();
    expect(removed).toMatch(/^\d+(\.\d+)? %$/);
    await waitFor(
      'the spectra of the volume line',
      () => compare().getByTestId('spectra-chart').getAttribute('data-ready'),
      (ready) => ready === 'true',
    );
    await page().waitForTimeout(200);
    await session.screenshot('63-volume-line-compare');

    const shot = async () => ({
      input: await canvasPixels(page(), panelCanvas('input')),
      result: await canvasPixels(page(), panelCanvas('result')),
      difference: await canvasPixels(page(), panelCanvas('difference')),
    });
    const before = await shot();
    // Distance from white, the seismic colormap's zero: the difference is drawn on the input's clip, so it is paler.
    const strength = (pixels: typeof before.input) => {
      let sum = 0;
      for (let i = 0; i < pixels.rgba.length; i += 4)
        sum += 765 - pixels.rgba[i]! - pixels.rgba[i + 1]! - pixels.rgba[i + 2]!;
      return sum / (pixels.rgba.length / 4);
    };
    const figures = {
      colours: [before.input, before.result, before.difference].map(distinctColours),
      strength: [before.input, before.result, before.difference].map((p) => strength(p).toFixed(1)),
      inputVsResult: pixelDistance(before.input, before.result).toFixed(2),
    };
    console.log(`[volume-workflow] volume compare (removed RMS ${removed}): ${JSON.stringify(figures)}`);
    for (const count of figures.colours) expect(count).toBeGreaterThan(30);
    expect(Number(figures.inputVsResult)).toBeGreaterThan(0.5); // the model changed the line
    expect(strength(before.difference)).toBeLessThan(0.8 * strength(before.input));

    // Zoom on the input: the result and difference panels follow (the same window as the input's).
    const box = (await page().locator(panelCanvas('input')).boundingBox())!;
    const frames = await frameOf(page(), viewerOf('difference'));
    await page().mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page().mouse.wheel(0, -600);
    await waitFor(
      'the difference panel following the zoom',
      () => frameOf(page(), viewerOf('difference')),
      (n) => n > frames,
    );
    await page().waitForTimeout(300);
    const after = await shot();
    const zoomed = {
      inputMoved: pixelDistance(before.input, after.input),
      resultMoved: pixelDistance(before.result, after.result),
      inputVsResult: pixelDistance(after.input, after.result),
      // What the input and result would differ by had the result not followed the zoom.
      unlinked: pixelDistance(after.input, before.result),
    };
    console.log(`[volume-workflow] zoomed: ${JSON.stringify(zoomed)}`);
    expect(zoomed.inputMoved).toBeGreaterThan(5);
    expect(zoomed.resultMoved).toBeGreaterThan(5);
    // Linked: after the zoom, input and result show the same window; they differ by about what the model changed
    // (as before the zoom), far less than an input zoomed beside a result left as it was.
    expect(zoomed.inputVsResult).toBeLessThan(0.75 * zoomed.unlinked);
    expect(zoomed.inputVsResult).toBeLessThan(1.5 * Number(figures.inputVsResult));
    await session.screenshot('64-volume-line-zoomed');
    await compare().getByRole('button', { name: '‹ Survey' }).click();
    await page().getByTestId('survey-view').waitFor();

    // Any line: a crossline too (read across the volume's inline chunks).
    await form.getByTestId('volume-compare-axis').selectOption('crossline');
    await expect(form.getByTestId('volume-compare-line').inputValue()).resolves.toBe('884');
    await form.getByRole('button', { name: 'Compare' }).click();
    await waitFor(
      'the compare view of the crossline',
      async () => ((await compare().count()) > 0 ? await compare().locator('h1').innerText() : ''),
      (title) => title.includes('Crossline 884'),
    );
    for (const panel of ['input', 'result', 'difference']) {
      await waitFor(
        `the crossline's ${panel} panel drawn`,
        () => frameOf(page(), viewerOf(panel)),
        (n) => n >= 1,
      );
      expect(distinctColours(await canvasPixels(page(), panelCanvas(panel)))).toBeGreaterThan(30);
    }

    // The one-click result stays reachable from its job in the jobs panel, with its removed RMS.
    const oneClick = (await jobs()).find((job) => job.kind === 'reconstruct-section')!;
    const row = page().locator(`aside[aria-label="Jobs panel"] li.job[data-job-id="${oneClick.id}"]`);
    await expect(row.innerText()).resolves.toMatch(/removed RMS \d+\.\d %/);
    await row.getByRole('button', { name: 'Compare' }).click();
    await waitFor(
      'the one-click result in the compare view again',
      async () => ({
        volume: await compare().getAttribute('data-volume-id'),
        title: await compare().locator('h1').innerText(),
      }),
      (seen) => seen.volume === null && seen.title.includes('Inline 122'),
    );
    await compare().getByRole('button', { name: '‹ Survey' }).click();
    await page().getByTestId('survey-view').waitFor();
  });

  it('exports the volume as the source (int16): segyio reads the original headers and the volume’s samples', async () => {
    const file = path.join(tmp, 'f3-denoise.sgy');
    await exportVolume(modelVolume, file, {
      defaultName: 'f3-denoise.sgy',
      defaultFormat: 'source',
      screenshot: '65-export-dialog',
    });
    if (!hasSegyio) return;
    const check = await checkExport(file, modelVolume, false);
    expect(check.exportedFormat).toBe(3);
    expect(check.binaryDiff).toEqual([]);
    expect(check.maxErrorToVolume).toBeLessThanOrEqual(0.5); // int16 rounding
    expect(check.tracesChanged).toBeGreaterThan(F3_TRACES / 2);
    expect(check.relativeRmsChange).toBeGreaterThan(0.01);
    // No invented energy: F3's top mute (its first 48 ms are exactly zero) is still exactly zero in the export.
    expect(largestInMute(tracesOf(testdataPath('segy', 'f3.sgy')), tracesOf(file))).toBe(0);
  }, 180_000);

  it('exports the volume as IEEE float on request: format 5, the volume’s float32 samples exactly', async () => {
    const file = path.join(tmp, 'f3-denoise-ieee.sgy');
    await exportVolume(modelVolume, file, { ieee: true });
    if (!hasSegyio) return;
    const check = await checkExport(file, modelVolume, false);
    expect(check.exportedFormat).toBe(5);
    expect(check.binaryDiff).toEqual([3225]); // only the sample format code
    expect(check.maxErrorToVolume).toBe(0);
  }, 180_000);

  it(
    'applies the model on top of the denoised volume (a finished volume as the input)',
    async () => {
      stackedVolume = await applyToVolume('66-apply-on-volume-dialog', modelVolume);
      expect(stackedVolume.parentVolumeId).toBe(modelVolume.id);
      expect(await waitForVolumeState(stackedVolume, ['ready', 'failed'], APPLY_MS)).toBe('ready');
      const lineage = await itemOf(stackedVolume).locator('.lineage').innerText();
      expect(lineage).toContain(`on ${modelVolume.name}`);
      // Its input was the denoised volume, not the survey: a second pass changes the denoised samples again.
      const [parent, stacked] = [
        await volumeSamples(page(), modelVolume.id),
        await volumeSamples(page(), stackedVolume.id),
      ];
      let changed = 0;
      for (let i = 0; i < parent.length; i++) if (parent[i] !== stacked[i]) changed++;
      console.log(
        `[volume-workflow] on top of the denoised volume: ${lineage}; ${changed} of ${parent.length} samples changed`,
      );
      expect(changed).toBeGreaterThan(parent.length / 2);
    },
    APPLY_MS + 60_000,
  );

  it(
    'resumes an ensemble volume whose compute process was killed mid-job',
    async () => {
      await page().getByRole('button', { name: 'Options ▾' }).click();
      const options = page().getByRole('dialog', { name: 'Reconstruction options' });
      await options.getByTestId('ensemble').fill(String(ENSEMBLE));
      await page().keyboard.press('Escape');
      await options.waitFor({ state: 'detached' });
      ensembleVolume = await applyToVolume('67-apply-ensemble-dialog');
      expect(ensembleVolume.hasUncertainty).toBe(true);
      const firstJob = ensembleVolume.jobId!;
      // While it runs the volume cannot be removed.
      await waitForVolumeState(ensembleVolume, ['running'], 30_000);
      await expect(itemOf(ensembleVolume).getByRole('button', { name: 'Remove' }).isDisabled()).resolves.toBe(true);

      const progress = await waitFor(
        `${KILL_AFTER_LINES} lines written`,
        async () => (await jobs()).find((job) => job.id === firstJob),
        (job) =>
          job !== undefined &&
          (!['queued', 'running'].includes(job.state) ||
            ((job.detail as ApplyVolumeProgress | null)?.completedLines ?? 0) >= KILL_AFTER_LINES),
        APPLY_MS,
        100,
      );
      expect(progress!.state, 'the job ended before the kill: make each inline slower').toBe('running');
      const { compute } = await api<SystemInfo>('api.system.info()');
      process.kill(compute.pid!, 'SIGKILL');
      const interrupted = await waitFor(
        'the job interrupted',
        async () => (await jobs()).find((job) => job.id === firstJob),
        (job) => job !== undefined && job.state !== 'running',
        30_000,
        100,
      );
      expect(interrupted).toMatchObject({ state: 'interrupted', error: { code: 'compute-crashed' } });
      await waitForVolumeState(ensembleVolume, ['interrupted'], 15_000);
      const stopped = (await listVolumes()).find((v) => v.id === ensembleVolume.id)!;
      console.log(`[volume-workflow] killed compute ${compute.pid} after ${stopped.completedLines} lines`);
      expect(stopped.completedLines).toBeGreaterThanOrEqual(KILL_AFTER_LINES);
      expect(stopped.completedLines).toBeLessThan(F3_INLINES);
      await page().waitForTimeout(200);
      await session.screenshot('68-volume-interrupted');

      await itemOf(ensembleVolume).getByRole('button', { name: 'Resume' }).click();
      await waitForVolumeState(ensembleVolume, ['ready', 'failed'], APPLY_MS);
      expect(await itemOf(ensembleVolume).getAttribute('data-state')).toBe('ready');
      const finished = (await listVolumes()).find((v) => v.id === ensembleVolume.id)!;
      expect(finished.jobId).not.toBe(firstJob);
      expect(finished.completedLines).toBe(F3_INLINES);
      const resumed = (await jobs()).find((job) => job.id === finished.jobId)!;
      const result = resumed.result as ApplyVolumeResult;
      console.log(
        `[volume-workflow] resumed: ${result.inlinesAlreadyDone} inlines kept, started at inline index ` +
          `${result.firstInlineWritten}, ${result.inlinesReconstructed} reconstructed in ${result.seconds.toFixed(1)} s`,
      );
      expect(result.inlinesAlreadyDone).toBeGreaterThanOrEqual(stopped.completedLines);
      expect(result.firstInlineWritten).toBe(result.inlinesAlreadyDone);
      expect(result.inlinesAlreadyDone + result.inlinesReconstructed).toBe(F3_INLINES);
      const row = page().locator(`aside[aria-label="Jobs panel"] li.job[data-job-id="${resumed.id}"]`);
      await expect(row.innerText()).resolves.toContain(`${result.inlinesAlreadyDone} kept from the stopped run`);
      await session.screenshot('69-volume-resumed');
    },
    2 * APPLY_MS + 60_000,
  );

  it('exports the uncertainty (ensemble standard deviation) volume', async () => {
    const file = path.join(tmp, 'f3-denoise-std.sgy');
    // The prefilled name follows the choice, so that exporting both the result and its uncertainty keeps both; F3's
    // int16 would round the standard deviation, so it goes out as IEEE float unless the user asks otherwise.
    await exportVolume(ensembleVolume, file, {
      uncertainty: true,
      defaultFormat: 'ieee',
      defaultName: 'f3-denoise-std.sgy',
      screenshot: '70-export-uncertainty',
    });
    if (!hasSegyio) return;
    const check = await checkExport(file, ensembleVolume, true);
    expect(check.exportedFormat).toBe(5);
    expect(check.maxErrorToVolume).toBe(0);
    expect(check.min).toBeGreaterThanOrEqual(0); // a standard deviation
    expect(check.max).toBeGreaterThan(0);
    expect(check.historyCard).toContain(`std of ${ENSEMBLE}-pass denoise`);
  }, 180_000);

  it('removes a derived volume: its files are deleted and the list follows', async () => {
    const { paths } = await api<SystemInfo>('api.system.info()');
    const dir = path.join(paths.project, 'volumes', `${ensembleVolume.id}.zarr`);
    expect(existsSync(dir)).toBe(true);
    await itemOf(ensembleVolume).getByRole('button', { name: 'Remove' }).click();
    const confirm = itemOf(ensembleVolume).getByRole('alertdialog', { name: 'Remove the volume' });
    await session.screenshot('71-remove-confirm');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await itemOf(ensembleVolume).waitFor({ state: 'detached' });
    expect(existsSync(dir)).toBe(false);
    const left = (await listVolumes()).map((v) => v.id).sort();
    expect(left).toEqual([modelVolume.id, stackedVolume.id].sort());
    await expect(volumes().locator('li[data-volume-id]').count()).resolves.toBe(2);
  });

  it(
    'applies a median filter inside an area drawn on the base map: traces outside keep the input',
    async () => {
      const map = page().getByTestId('base-map');
      await map.getByTestId('draw-area').click();
      const canvas = map.locator('canvas');
      await canvas.scrollIntoViewIfNeeded();
      const box = (await canvas.boundingBox())!;
      const corners: [number, number][] = [
        [0.15, 0.1],
        [0.7, 0.2],
        [0.6, 0.75],
        [0.2, 0.6],
      ];
      for (const [x, y] of corners) await canvas.click({ position: { x: x * box.width, y: y * box.height } });
      await expect(map.locator('.draw').innerText()).resolves.toContain('4 points');
      const before = new Set((await listVolumes()).map((v) => v.id));
      await map.getByTestId('use-area').click();
      // Drawing an area opens Apply to volume with the area chosen.
      const dialog = page().getByRole('dialog', { name: 'Apply to volume' });
      await dialog.waitFor();
      const polygon = JSON.parse((await map.getAttribute('data-polygon'))!) as [number, number][];
      expect(polygon).toHaveLength(4);
      await expect(dialog.getByTestId('apply-inside-area').isChecked()).resolves.toBe(true);
      const extent = await dialog.getByTestId('apply-area-extent').innerText();
      expect(extent).toMatch(
        /^4 corners, within inlines \d+–\d+ and crosslines \d+–\d+; traces outside keep the input$/,
      );
      await dialog.getByTestId('apply-choice').selectOption('method:median');
      await session.screenshot('71b-apply-area-dialog');
      await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      const added = (await listVolumes()).filter((v) => !before.has(v.id));
      expect(added).toHaveLength(1);
      const areaVolume = added[0]!;
      expect(areaVolume.params.polygon).toEqual(polygon);
      await itemOf(areaVolume).waitFor();
      expect(await waitForVolumeState(areaVolume, ['ready', 'failed'], APPLY_MS)).toBe('ready');
      await expect(itemOf(areaVolume).locator('.lineage').innerText()).resolves.toContain('inside a 4-corner area');

      const [input, output] = [
        await surveySamples(page(), areaVolume.surveyId),
        await volumeSamples(page(), areaVolume.id),
      ];
      const crosslines = 18;
      const samples = input.length / (F3_INLINES * crosslines);
      let inside = 0;
      let changedInside = 0;
      let changedOutside = 0;
      for (let il = 0; il < F3_INLINES; il++) {
        for (let xl = 0; xl < crosslines; xl++) {
          const at = (il * crosslines + xl) * samples;
          let changed = false;
          for (let k = 0; k < samples && !changed; k++) changed = input[at + k] !== output[at + k];
          if (insidePolygon(polygon, il, xl)) {
            inside++;
            if (changed) changedInside++;
          } else if (changed) changedOutside++;
        }
      }
      console.log(
        `[volume-workflow] area ${JSON.stringify(polygon.map(([a, b]) => [+a.toFixed(1), +b.toFixed(1)]))}: ` +
          `${inside} of ${F3_INLINES * crosslines} traces inside, ${changedInside} of them changed, ${changedOutside} outside changed`,
      );
      expect(inside).toBeGreaterThan(20);
      expect(inside).toBeLessThan((F3_INLINES * crosslines) / 2);
      expect(changedOutside).toBe(0);
      expect(changedInside).toBeGreaterThan(inside / 2);
      await page().waitForTimeout(200);
      await session.screenshot('71c-area-volume');
      await map.getByTestId('clear-area').click();
      await expect(map.getAttribute('data-polygon')).resolves.toBeNull();
    },
    APPLY_MS + 60_000,
  );

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
      const job = await waitFor(
        'the adaptation job',
        async () => (await jobs()).find((known) => known.kind === 'train-model'),
        (known) => known !== undefined,
      );
      await waitForJob(job!.id, ADAPT_MS);
      const labels = await waitFor(
        'the adapted model in the choices',
        () => choice.locator('option').allInnerTexts(),
        (texts) => texts.some((t) => /adapted to/i.test(t)),
      );
      console.log(`[volume-workflow] denoise choices: ${labels.join(' | ')}`);
      await page().waitForTimeout(200);
      await session.screenshot('72-adapted-model');
    },
    ADAPT_MS + 60_000,
  );

  it('had no page errors and no console errors', () => {
    expect(session.errors).toEqual([]);
  });
});
