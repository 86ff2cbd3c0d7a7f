/**
 * One-click reconstruction end to end, in Chromium against the browser mode: open F3, Denoise the inline on screen with
 * the default model, wait for the compare view, check its three panels (rendered, different from each other) and the QC
 * figures (the strength check's among them), switch to the swipe; denoise again with the strength check off (full
 * strength); then Fill missing traces on ex1_missing_traces and see traces filled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNAL_LEAKAGE_WARNING, type Api } from '../../preload/contract';
import { hasTestdata, TESTDATA_DIR } from '../testdata';
import { canvasPixels, distinctColours, frameOf, importAndOpen, meanColour, pixelDistance } from './flows';
import { hasChromium, openBrowser, startServer, waitFor, type BrowserSession, type RunningServer } from './harness';

const RECONSTRUCTION_MS = 240_000;

describe.skipIf(!hasChromium || !hasTestdata)('one-click reconstruction and the compare view', () => {
  let server: RunningServer;
  let session: BrowserSession;
  /** Labels of ex1's inlines with missing traces. */
  let holes: string[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { PROMETHIUM_DATA_DIRS: TESTDATA_DIR } });
    session = await openBrowser(server.url);
  });

  afterAll(async () => {
    await session?.close();
    await server?.stop();
  });

  const page = () => session.page;
  const compare = () => page().getByTestId('compare-view');
  const viewerOf = (panel: string) => `[data-testid="section-viewer"][data-panel="${panel}"]`;
  const panelCanvas = (panel: string) => `${viewerOf(panel)} canvas.gl`;

  async function waitForCompare(task: string): Promise<void> {
    await waitFor(
      `the compare view of the ${task}`,
      async () => ({
        view: await page().locator('main').getAttribute('data-view'),
        task: (await compare().count()) > 0 ? await compare().getAttribute('data-task') : null,
        errors: session.errors.length,
        notice: await page()
          .locator('[role="alert"], .notice')
          .allInnerTexts()
          .catch(() => []),
      }),
      (seen) => seen.view === 'compare' && seen.task === task,
      RECONSTRUCTION_MS,
      250,
    );
  }

  it(
    'denoises an F3 inline with the default model and opens the compare view',
    async () => {
      await importAndOpen(page(), 'f3.sgy');
      const label = await page().getByTestId('section-label').innerText();
      const denoise = page().locator('button.run[data-task="denoise"]');
      await expect(denoise.getAttribute('data-choice')).resolves.toBe('model:unet_denoise_v1');
      await denoise.click();
      // The job shows in the jobs panel while it runs (or is already done).
      await waitFor(
        'the reconstruction job in the panel',
        () => page().locator('aside[aria-label="Jobs panel"] li.job').count(),
        (n) => n >= 2,
      );
      await waitForCompare('denoise');
      expect((await compare().locator('h1').innerText()).toLowerCase()).toContain(label.toLowerCase());
      for (const panel of ['input', 'result', 'difference']) {
        await waitFor(
          `the ${panel} panel drawn`,
          () => frameOf(page(), viewerOf(panel)),
          (n) => n >= 1,
        );
      }
      await page().waitForTimeout(200);
      await session.screenshot('30-compare-denoise');
    },
    RECONSTRUCTION_MS + 60_000,
  );

  it('draws three distinct panels on the same clip and shows the QC figures', async () => {
    const colours: [number, number, number][] = [];
    for (const panel of ['input', 'result', 'difference']) {
      const pixels = await canvasPixels(page(), panelCanvas(panel));
      const distinct = distinctColours(pixels);
      console.log(
        `[compare] ${panel}: ${pixels.width}x${pixels.height}, ${distinct} colours, mean ${meanColour(pixels).map((c) => c.toFixed(1))}`,
      );
      expect(distinct, `${panel} is not blank`).toBeGreaterThan(30);
      colours.push(meanColour(pixels));
    }
    // The difference (noise) is weaker than the input on the same clip: closer to the colormap's white.
    const distance = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
    expect(distance(colours[0]!, colours[2]!)).toBeGreaterThan(1);
    expect(distance(colours[1]!, colours[2]!)).toBeGreaterThan(1);

    const text = async (id: string) => (await compare().getByTestId(id).innerText()).trim();
    const method = await text('qc-method');
    const seconds = await text('qc-seconds');
    const removed = await text('qc-removed-rms');
    const leakage = await text('qc-leakage');
    console.log(`[compare] QC: method ${method}, time ${seconds}, removed RMS ${removed}, leakage ${leakage}`);
    expect(method.length).toBeGreaterThan(0);
    expect(seconds).toMatch(/^\d+(\.\d+)? s$/);
    expect(removed).toMatch(/^\d+(\.\d+)? %$/);
    expect(leakage).toMatch(/^-?\d+(\.\d+)?$/);
    await expect(compare().getByTestId('leakage-help').getAttribute('title')).resolves.toMatch(/0 means/);
    // Leakage above the threshold is said in words next to the figures, and only then.
    const warnings = compare().getByTestId('qc-warnings');
    if (Number(leakage) > SIGNAL_LEAKAGE_WARNING) {
      await expect(warnings.innerText()).resolves.toMatch(/^Signal leakage \d\.\d\d is above .*part of the signal/);
    } else {
      await expect(warnings.count()).resolves.toBe(0);
    }
    // The strength check ran (on by default): the share of the model's change applied and what it estimates.
    const strength = await text('qc-strength');
    console.log(`[compare] strength check: ${strength}`);
    expect(strength).toMatch(/^\d{1,3} % of the model’s change above 12 Hz applied/);
    expect(await text('qc-strength-details')).toMatch(
      /^white noise RMS \S+ · estimated (as good as|\d+\.\d dB better than) full strength$/,
    );
    await expect(compare().getByTestId('strength-help').getAttribute('title')).resolves.toMatch(/unbiased risk/);
    // The jobs panel says it too.
    await expect(page().locator('aside[aria-label="Jobs panel"] li.job').first().innerText()).resolves.toMatch(
      /strength \d{1,3} %/,
    );
    await waitFor(
      'the spectra chart',
      () => compare().getByTestId('spectra-chart').getAttribute('data-ready'),
      (r) => r === 'true',
    );
    expect(await compare().locator('[data-testid="spectra-chart"] canvas').count()).toBeGreaterThan(0);
  });

  it('pans the three panels together', async () => {
    const box = (await page().locator(panelCanvas('input')).boundingBox())!;
    const before = await frameOf(page(), viewerOf('result'));
    await page().mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page().mouse.wheel(0, -500);
    await waitFor(
      'the result panel following the zoom',
      () => frameOf(page(), viewerOf('result')),
      (n) => n > before,
    );
    await page().waitForTimeout(150);
    await session.screenshot('31-compare-zoomed');
    await page().locator(viewerOf('input')).focus();
    await page().keyboard.press('0');
  });

  it('switches to the swipe with a draggable divider', async () => {
    await compare().locator('button[data-mode="swipe"]').click();
    await waitFor(
      'the swipe panel',
      () => frameOf(page(), viewerOf('swipe')),
      (n) => n >= 1,
    );
    const divider = compare().getByTestId('swipe-divider');
    await expect(divider.getAttribute('aria-valuenow')).resolves.toBe('50');
    const box = (await divider.boundingBox())!;
    await page().mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page().mouse.down();
    await page().mouse.move(box.x - 150, box.y + box.height / 2, { steps: 5 });
    await page().mouse.up();
    const now = Number(await divider.getAttribute('aria-valuenow'));
    expect(now).toBeLessThan(50);
    await divider.focus();
    await page().keyboard.press('ArrowRight');
    await expect(divider.getAttribute('aria-valuenow')).resolves.not.toBe(String(now));
    await page().waitForTimeout(150);
    expect(distinctColours(await canvasPixels(page(), panelCanvas('swipe')))).toBeGreaterThan(30);
    await session.screenshot('32-compare-swipe');
    await compare().locator('button[data-mode="side"]').click();
  });

  it(
    'denoises at full strength with the strength check off',
    async () => {
      await compare().getByRole('button', { name: '‹ Survey' }).click();
      await page().getByRole('button', { name: 'Options ▾' }).click();
      const check = page().getByTestId('strength-check');
      await expect(check.isChecked()).resolves.toBe(true);
      await check.uncheck();
      await session.screenshot('32a-options-strength-off');
      await page().locator('button.run[data-task="denoise"]').click();
      await waitForCompare('denoise');
      expect((await compare().getByTestId('qc-strength').innerText()).trim()).toBe('full strength (not checked)');
      await session.screenshot('32b-compare-full-strength');
    },
    RECONSTRUCTION_MS + 60_000,
  );

  it(
    'fills the missing traces of ex1_missing_traces',
    async () => {
      await importAndOpen(page(), 'ex1_missing_traces_75x71x26.segy');
      // Inlines with missing traces: those whose live mask has a hole.
      holes = await page().evaluate(
        async (surveyId: string) => {
          const api = (globalThis as unknown as { promethium: Api }).promethium;
          const first = await api.section.get({ surveyId, axis: 'inline', index: 0 });
          const labels: string[] = [];
          for (let index = 0; index < first.count; index++) {
            const s = index === 0 ? first : await api.section.get({ surveyId, axis: 'inline', index });
            if (s.live.some((v) => v === 0)) labels.push(s.label);
          }
          return labels;
        },
        (await page().locator('[data-testid="survey-view"]').getAttribute('data-survey-id'))!,
      );
      const target = holes[0];
      expect(target).toBeDefined();
      const line = page().getByTestId('line-number');
      await line.fill(target!.replace('Inline ', ''));
      await line.press('Enter');
      await waitFor(
        'the inline with holes',
        () => page().getByTestId('section-label').innerText(),
        (l) => l === target,
      );
      await page().locator('button.run[data-task="interpolate"]').click();
      await waitForCompare('interpolate');
      const filled = Number((await compare().getByTestId('qc-traces-filled').innerText()).replace(/,/g, ''));
      const snr = await compare().getByTestId('qc-selfcheck-snr').innerText();
      const blend = await compare().getByTestId('qc-blend').innerText();
      console.log(`[compare] ${target}: ${filled} traces filled, self-check SNR ${snr}, blend ${blend}`);
      expect(filled).toBeGreaterThan(0);
      expect(snr).toMatch(/dB|—/);
      // The one-click interpolation runs the bundled model with the blend check: the row names what filled the gaps.
      expect(blend).toMatch(/(model|POCS|linear|slope-steered) \d+ %/);
      expect(blend).toMatch(/hidden traces restored at -?[\d.]+ dB|too few missing traces to copy/);
      await page().waitForTimeout(200);
      await session.screenshot('33-compare-interpolate');
    },
    RECONSTRUCTION_MS + 60_000,
  );

  it(
    'fills one inline of ex1 as a volume; the compare view of a line outside its range shows the holes unfilled',
    async () => {
      const [inside, outside] = [holes[0]!.replace('Inline ', ''), holes.at(-1)!.replace('Inline ', '')];
      expect(outside).not.toBe(inside);
      await compare().getByRole('button', { name: '‹ Survey' }).click();
      await page().getByRole('button', { name: 'Apply to volume…' }).click();
      const dialog = page().getByRole('dialog', { name: 'Apply to volume' });
      await dialog.locator('button[data-task="interpolate"]').click();
      await dialog.getByTestId('apply-choice').selectOption('method:linear');
      await dialog.getByTestId('apply-first-inline').fill(inside);
      await dialog.getByTestId('apply-last-inline').fill(inside);
      await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
      const item = page().getByTestId('volumes').locator('li[data-volume-id]').first();
      await waitFor(
        'the volume ready',
        () => item.getAttribute('data-state'),
        (state) => state === 'ready' || state === 'failed',
        RECONSTRUCTION_MS,
        250,
      );
      expect(await item.getAttribute('data-state')).toBe('ready');

      const compareLine = async (inline: string) => {
        await item.getByTestId('volume-compare-line').fill(inline);
        await item.getByRole('button', { name: 'Compare' }).click();
        await waitFor(
          `the compare view of inline ${inline}`,
          async () => ((await compare().count()) > 0 ? await compare().locator('h1').innerText() : ''),
          (title) => title.includes(`Inline ${inline} `),
        );
        for (const panel of ['input', 'result', 'difference']) {
          await waitFor(
            `the ${panel} panel drawn`,
            () => frameOf(page(), viewerOf(panel)),
            (n) => n >= 1,
          );
        }
        await page().waitForTimeout(200);
        return {
          filled: Number(await compare().getByTestId('qc-traces-filled').innerText()),
          inputVsResult: pixelDistance(
            await canvasPixels(page(), panelCanvas('input')),
            await canvasPixels(page(), panelCanvas('result')),
          ),
        };
      };
      const filled = await compareLine(inside);
      await session.screenshot('34-volume-line-filled');
      await compare().getByRole('button', { name: '‹ Survey' }).click();
      const untouched = await compareLine(outside);
      await session.screenshot('35-volume-line-outside-range');
      console.log(
        `[compare] volume of inline ${inside}: ${JSON.stringify(filled)}; inline ${outside}: ${JSON.stringify(untouched)}`,
      );
      expect(filled.filled).toBeGreaterThan(0);
      // ex1's samples are all positive (a ramp): it opens in viridis from its minimum to its maximum, where the filled
      // trace changes fewer pixels' colour than on red-white-blue (0.43 against above 0.5).
      expect(filled.inputVsResult).toBeGreaterThan(0.3);
      // Outside the range nothing was filled: the result is the input, dead traces drawn dead in both panels.
      expect(untouched.filled).toBe(0);
      expect(untouched.inputVsResult).toBeLessThan(0.01);
    },
    RECONSTRUCTION_MS + 60_000,
  );

  it('had no page errors and no console errors', () => {
    expect(session.errors).toEqual([]);
  });
});
