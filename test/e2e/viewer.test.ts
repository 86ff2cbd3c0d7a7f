/**
 * The interpreter's views end to end, in Chromium against the browser mode: open the real F3 excerpt through the file
 * picker and the import dialog, browse inlines / crosslines / time slices in the WebGL viewer (checking rendered pixels
 * against the section's own numbers), then a pre-stack file's gathers. One server and one page, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api, SectionData } from '../../preload/contract';
import { colourAt } from '../../renderer/src/lib/colormaps';
import { hasTestdata, TESTDATA_DIR } from '../testdata';
import {
  canvasPixels as canvasPixelsOf,
  distinctColours,
  frameOf,
  importAndOpen as importAndOpenIn,
  median,
  pickFile as pickFileIn,
  type Pixels,
} from './flows';
import { hasChromium, openBrowser, startServer, waitFor, type BrowserSession, type RunningServer } from './harness';

type PageGlobals = { promethium: Api };
type Rgb = [number, number, number];

/** The same clip the viewer computes: the percentile of |amplitude| over the live traces' finite samples. */
function clipOf(
  section: { data: number[]; traces: number; samples: number; live: number[] },
  percentile: number,
): number {
  const values: number[] = [];
  for (let t = 0; t < section.traces; t++) {
    if (!section.live[t]) continue;
    for (let s = 0; s < section.samples; s++) {
      const v = section.data[t * section.samples + s]!;
      if (Number.isFinite(v)) values.push(Math.abs(v));
    }
  }
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.max(0, Math.ceil((percentile / 100) * values.length) - 1))]!;
}

/** A section as plain arrays (what page.evaluate returns). */
interface PlainSection {
  traces: number;
  samples: number;
  data: number[];
  live: number[];
}

/**
 * Share of every 5th canvas pixel (over live traces) whose colour is more than 24 off, in some channel, the colormap's
 * colour of the value the GPU shows there: bilinear between texel centres (float-linear textures) or the nearest sample.
 */
function colourMismatch(pixels: Pixels, section: PlainSection, clip: number, linear: boolean): number {
  const { traces, samples, data } = section;
  const at = (t: number, s: number) => data[t * samples + s]!;
  let checked = 0;
  let off = 0;
  for (let py = 2; py < pixels.height; py += 5) {
    for (let px = 2; px < pixels.width; px += 5) {
      const x = ((px + 0.5) / pixels.width) * traces;
      const y = ((py + 0.5) / pixels.height) * samples;
      let value: number;
      if (!linear) value = at(Math.min(traces - 1, Math.floor(x)), Math.min(samples - 1, Math.floor(y)));
      else {
        const fx = Math.min(traces - 1, Math.max(0, x - 0.5));
        const fy = Math.min(samples - 1, Math.max(0, y - 0.5));
        const [t0, s0] = [Math.floor(fx), Math.floor(fy)];
        const [t1, s1] = [Math.min(traces - 1, t0 + 1), Math.min(samples - 1, s0 + 1)];
        const [a, b] = [fx - t0, fy - s0];
        value =
          (1 - a) * (1 - b) * at(t0, s0) + a * (1 - b) * at(t1, s0) + (1 - a) * b * at(t0, s1) + a * b * at(t1, s1);
      }
      if (!section.live[Math.min(traces - 1, Math.floor(x))]) continue;
      const i = (py * pixels.width + px) * 4;
      const expected = colourAt('seismic', value / clip);
      checked++;
      if ([0, 1, 2].some((k) => Math.abs(pixels.rgba[i + k]! - expected[k]!) > 24)) off++;
    }
  }
  return checked === 0 ? 1 : off / checked;
}

/** Bounding boxes of an element's direct children that are drawn (width and height > 0). */
const CHILD_BOXES = `(selector) => Array.from(document.querySelector(selector).querySelectorAll(':scope > *, :scope > .tool-group > *'))
  .map((el) => { const r = el.getBoundingClientRect(); return { name: el.className || el.tagName, left: r.left, right: r.right, top: r.top, bottom: r.bottom, group: el.parentElement.matches(selector) }; })
  .filter((b) => b.right > b.left && b.bottom > b.top)`;

describe.skipIf(!hasChromium || !hasTestdata)('interpreter views in the browser mode', () => {
  let server: RunningServer;
  let session: BrowserSession;

  beforeAll(async () => {
    server = await startServer({ env: { PROMETHIUM_DATA_DIRS: TESTDATA_DIR } });
    session = await openBrowser(server.url);
  });

  afterAll(async () => {
    await session?.close();
    await server?.stop();
  });

  const page = () => session.page;
  const viewer = () => page().getByTestId('section-viewer');

  const frame = (): Promise<number> => frameOf(page());
  const pickFile = (name: string) => pickFileIn(page(), name);
  const importAndOpen = (name: string): Promise<string> => importAndOpenIn(page(), name);
  const canvasPixels = (): Promise<Pixels> => canvasPixelsOf(page(), '[data-testid="section-canvas"]');

  async function sectionNow(surveyId: string, axis: 'inline' | 'crossline' | 'time', index: number) {
    return page().evaluate(
      async ({ id, a, i }) => {
        const s: SectionData = await (globalThis as unknown as PageGlobals).promethium.section.get({
          surveyId: id,
          axis: a,
          index: i,
        });
        return { ...s, data: Array.from(s.data), live: Array.from(s.live) };
      },
      { id: surveyId, a: axis, i: index },
    );
  }

  let f3Id = '';

  it('opens F3 through the file picker; the import dialog proposes 189/193 with a confidence', async () => {
    const dialog = await pickFile('f3.sgy');
    await expect(dialog.locator('#byte-inline').inputValue()).resolves.toBe('189');
    await expect(dialog.locator('#byte-crossline').inputValue()).resolves.toBe('193');
    await expect(dialog.getByTestId('header-confidence').innerText()).resolves.toMatch(/confidence \d{1,3}%/);
    await expect(dialog.getByTestId('import-samples').innerText()).resolves.toBe('75');
    await expect(dialog.getByTestId('import-traces').innerText()).resolves.toBe('414');
    await dialog.locator('summary').click();
    await expect(dialog.getByTestId('text-header').isVisible()).resolves.toBe(true);
    await session.screenshot('10-import-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog.count()).resolves.toBe(0);

    f3Id = await importAndOpen('f3.sgy');
    await expect(page().locator('main').getAttribute('data-view')).resolves.toBe('survey');
    await expect(page().getByTestId('section-label').innerText()).resolves.toMatch(/^Inline \d+$/);
    await session.screenshot('11-f3-inline');
  });

  it('renders the inline with the colormap at the section’s own amplitudes', async () => {
    const label = (await viewer().getAttribute('data-label'))!;
    const inline = Number(label.replace('Inline ', ''));
    const survey = await page().evaluate(
      (id) => (globalThis as unknown as PageGlobals).promethium.survey.get(id),
      f3Id,
    );
    const grid = survey.description!.grid!;
    const index = (inline - grid.inlines.first) / grid.inlines.step;
    const section = await sectionNow(f3Id, 'inline', index);
    expect(section.label).toBe(label);
    const clip = clipOf(section, 99);
    expect(clip).toBeGreaterThan(0);

    const coloured = await canvasPixels();
    expect(distinctColours(coloured)).toBeGreaterThan(100);

    // The value the GPU shows at a canvas pixel: bilinear between texel centres (float-linear) or the nearest sample.
    const { traces, samples, data } = section;
    const linear = (await viewer().getAttribute('data-float-linear')) === 'true';
    const at = (t: number, s: number) => data[t * samples + s]!;
    const valueAt = (pixels: Pixels, px: number, py: number): number => {
      const x = ((px + 0.5) / pixels.width) * traces;
      const y = ((py + 0.5) / pixels.height) * samples;
      if (!linear) return at(Math.min(traces - 1, Math.floor(x)), Math.min(samples - 1, Math.floor(y)));
      const fx = Math.min(traces - 1, Math.max(0, x - 0.5));
      const fy = Math.min(samples - 1, Math.max(0, y - 0.5));
      const [t0, s0] = [Math.floor(fx), Math.floor(fy)];
      const [t1, s1] = [Math.min(traces - 1, t0 + 1), Math.min(samples - 1, s0 + 1)];
      const [a, b] = [fx - t0, fy - s0];
      return (1 - a) * (1 - b) * at(t0, s0) + a * (1 - b) * at(t1, s0) + (1 - a) * b * at(t0, s1) + a * b * at(t1, s1);
    };
    const rgbAt = (pixels: Pixels, px: number, py: number): Rgb => {
      const i = (py * pixels.width + px) * 4;
      return [pixels.rgba[i]!, pixels.rgba[i + 1]!, pixels.rgba[i + 2]!];
    };
    /** Every 7th pixel: its expected value, and the colour drawn. */
    const sampled = (pixels: Pixels) => {
      const out: { value: number; rgb: Rgb }[] = [];
      for (let py = 3; py < pixels.height; py += 7) {
        for (let px = 3; px < pixels.width; px += 7)
          out.push({ value: valueAt(pixels, px, py), rgb: rgbAt(pixels, px, py) });
      }
      return out;
    };
    /** Share of sampled pixels whose colour is off the colormap's colour of their value by more than 24 in a channel. */
    const mismatchShare = (map: 'seismic' | 'grey', pixels: Pixels) => {
      const all = sampled(pixels);
      const off = all.filter(({ value, rgb }) => {
        const expected = colourAt(map, value / clip);
        return rgb.some((c, k) => Math.abs(c - expected[k]!) > 24);
      });
      return off.length / all.length;
    };

    const seismic = sampled(coloured);
    const positive = seismic.filter(({ value }) => value > 0.6 * clip);
    const negative = seismic.filter(({ value }) => value < -0.6 * clip);
    console.log(
      `[viewer] ${label}: clip ${clip}, ${linear ? 'linear' : 'nearest'} float texture, ${seismic.length} pixels checked, ` +
        `${positive.length} strongly positive, ${negative.length} strongly negative, ` +
        `${(mismatchShare('seismic', coloured) * 100).toFixed(2)}% off the red-white-blue colour`,
    );
    expect(positive.length).toBeGreaterThan(10);
    expect(negative.length).toBeGreaterThan(10);
    // Red-white-blue: positive amplitudes on the red side, negative ones on the blue side.
    for (const { value, rgb } of positive) {
      expect(rgb[0], `red-white-blue at +${value}`).toBeGreaterThan(rgb[2] + 60);
    }
    for (const { value, rgb } of negative) {
      expect(rgb[2], `red-white-blue at ${value}`).toBeGreaterThan(rgb[0] + 60);
    }
    expect(mismatchShare('seismic', coloured)).toBeLessThan(0.02);

    const before = await frame();
    await page().getByTestId('display-colormap').selectOption('grey');
    await waitFor('a grey frame', frame, (n) => n > before);
    const grey = await canvasPixels();
    // Near zero (the zero-filled top included): mid-grey.
    const zeros = sampled(grey).filter(({ value }) => Math.abs(value) < 0.02 * clip);
    console.log(`[viewer] ${zeros.length} near-zero pixels checked for mid-grey`);
    expect(zeros.length).toBeGreaterThan(10);
    for (const { value, rgb } of zeros) {
      for (const channel of rgb) expect(Math.abs(channel - 128), `grey at ${value}`).toBeLessThanOrEqual(6);
    }
    expect(mismatchShare('grey', grey)).toBeLessThan(0.02);
    await session.screenshot('12-f3-inline-grey');
    await page().getByTestId('display-colormap').selectOption('seismic');
  });

  it('steps to the next inline by key, fast, and pans/zooms without re-uploading', async () => {
    await viewer().focus();
    const times: number[] = [];
    const labels: string[] = [];
    for (const key of ['PageDown', 'PageDown', 'PageDown', 'PageUp', 'PageUp', 'PageUp', 'PageUp', 'PageDown']) {
      // Page-side: from the keydown to the viewer's next frame showing a new line (its data-label), in page time.
      const result = await page().evaluate<{ ms: number; label: string }>(`new Promise((resolve) => {
        const el = document.querySelector('[data-testid="section-viewer"]');
        const before = el.dataset.label;
        const started = performance.now();
        const observer = new MutationObserver(() => {
          if (el.dataset.label === before) return;
          observer.disconnect();
          // Drawn, then a frame produced with it (the rendering update follows the animation-frame callbacks).
          const label = el.dataset.label ?? '';
          requestAnimationFrame(() => setTimeout(() => resolve({ ms: performance.now() - started, label }), 0));
        });
        observer.observe(el, { attributes: true, attributeFilter: ['data-label'] });
        el.dispatchEvent(new KeyboardEvent('keydown', { key: '${key}', bubbles: true }));
      })`);
      times.push(result.ms);
      labels.push(result.label);
    }
    const numbers = labels.map((label) => Number(label.replace('Inline ', '')));
    for (let i = 1; i < 3; i++) expect(numbers[i]).toBe(numbers[i - 1]! + 1);
    expect(numbers[3]).toBe(numbers[2]! - 1);
    await expect(page().getByTestId('section-label').innerText()).resolves.toBe(labels.at(-1));
    console.log(
      `[viewer] keypress to new frame: median ${median(times).toFixed(1)} ms, all ${times.map((t) => t.toFixed(1)).join(', ')} ms`,
    );
    expect(median(times)).toBeLessThan(250);

    const uploads = await viewer().getAttribute('data-uploads');
    const before = await frame();
    const box = (await page().getByTestId('section-canvas').boundingBox())!;
    await page().mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page().mouse.wheel(0, -400);
    await page().mouse.down();
    await page().mouse.move(box.x + box.width / 2 - 60, box.y + box.height / 2 - 30, { steps: 4 });
    await page().mouse.up();
    await page().keyboard.press('+');
    await waitFor('frames of the pan and zoom', frame, (n) => n >= before + 3);
    await expect(viewer().getAttribute('data-uploads')).resolves.toBe(uploads);
    await session.screenshot('13-f3-zoomed-wiggles');
    await page().keyboard.press('0');
  });

  it('shows inline, crossline, time and amplitude under the cursor', async () => {
    const box = (await page().getByTestId('section-canvas').boundingBox())!;
    await page().mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.5);
    const readout = await waitFor(
      'the cursor readout',
      () =>
        page()
          .getByTestId('status-readout')
          .innerText()
          .catch(() => ''),
      (text) => text.includes('amp'),
    );
    expect(readout).toMatch(/IL \d+/);
    expect(readout).toMatch(/XL \d+/);
    expect(readout).toMatch(/t \d+(\.\d+)? ms/);
    expect(readout).toMatch(/amp -?[\d.e+-]+/);
  });

  it('renders crossline and time slice views', async () => {
    for (const [axis, pattern] of [
      ['crossline', /^Crossline \d+$/],
      ['time', /^Time \d+(\.\d+)? ms$/],
    ] as const) {
      const before = await frame();
      await page().locator(`button[data-axis="${axis}"]`).click();
      await waitFor(
        `the ${axis} view`,
        () => viewer().getAttribute('data-axis'),
        (a) => a === axis,
      );
      await waitFor(`a ${axis} frame`, frame, (n) => n > before);
      await expect(page().getByTestId('section-label').innerText()).resolves.toMatch(pattern);
      expect(distinctColours(await canvasPixels())).toBeGreaterThan(50);
      await session.screenshot(`14-f3-${axis}`);
    }
    await page().locator('button[data-axis="inline"]').click();
    await waitFor(
      'back to inlines',
      () => viewer().getAttribute('data-axis'),
      (a) => a === 'inline',
    );
  });

  it('goes to a line from the base map', async () => {
    const survey = await page().evaluate(
      (id) => (globalThis as unknown as PageGlobals).promethium.survey.get(id),
      f3Id,
    );
    const { inlines } = survey.description!.grid!;
    const map = page().getByTestId('base-map').locator('canvas');
    const box = (await map.boundingBox())!;
    for (const [y, inline] of [
      [box.height - 2, inlines.last],
      [2, inlines.first],
    ] as const) {
      await map.click({ position: { x: box.width / 2, y } });
      await waitFor(
        `inline ${inline} from the base map`,
        () => viewer().getAttribute('data-label'),
        (l) => l === `Inline ${inline}`,
      );
    }
    // Every inline read in the background: the base map knows the whole (complete) coverage of F3.
    await session.screenshot('16-f3-base-map');
  });

  it('draws an arbitrary line on the base map and shows the section along it, labelled at its vertices', async () => {
    const map = page().getByTestId('base-map').locator('canvas');
    const box = (await map.boundingBox())!;
    const clicks: [number, number][] = [
      [box.width * 0.1, box.height * 0.1],
      [box.width * 0.85, box.height * 0.5],
      [box.width * 0.3, box.height * 0.9],
    ];
    await page().getByTestId('draw-line').click();
    for (const [x, y] of clicks.slice(0, -1)) await map.click({ position: { x, y } });
    const [lx, ly] = clicks.at(-1)!;
    await map.dblclick({ position: { x: lx, y: ly } });
    await waitFor(
      'the arbitrary line',
      () => viewer().getAttribute('data-label'),
      (l) => Boolean(l?.startsWith('Arbitrary line')),
    );
    await waitFor(
      'its frame',
      () => viewer().getAttribute('data-axis'),
      (a) => a === 'arbitrary',
    );
    await page().waitForTimeout(100);

    // The same line through the API: the same label, and the pixels drawn are its amplitudes in the colormap.
    const points = JSON.parse((await page().getByTestId('base-map').getAttribute('data-line'))!) as [number, number][];
    expect(points).toHaveLength(3);
    const line = await page().evaluate(
      async ({ id, pts }) => {
        const s = await (globalThis as unknown as PageGlobals).promethium.section.arbitrary({
          surveyId: id,
          points: pts,
        });
        return { ...s, data: Array.from(s.data), live: Array.from(s.live) };
      },
      { id: f3Id, pts: points },
    );
    await expect(page().getByTestId('section-label').innerText()).resolves.toBe(line.label);
    expect(line.vertices).toHaveLength(3);
    expect(line.traces).toBeGreaterThan(20);
    const linear = (await viewer().getAttribute('data-float-linear')) === 'true';
    const pixels = await canvasPixels();
    expect(distinctColours(pixels)).toBeGreaterThan(100);
    const mismatch = colourMismatch(pixels, line, clipOf(line, 99), linear);
    console.log(
      `[viewer] ${line.label}: ${line.traces} traces through ${line.vertices.map((v) => `IL ${v.inline}/XL ${v.crossline}`).join(', ')}; ` +
        `${(mismatch * 100).toFixed(2)}% of pixels off the colormap colour`,
    );
    expect(mismatch).toBeLessThan(0.02);

    // The base map draws the line shown (its accent colour at the middle vertex).
    const mapPixels = await canvasPixelsOf(page(), '[data-testid="base-map"] canvas');
    const [vx, vy] = clicks[1]!;
    const i = (Math.round(vy) * mapPixels.width + Math.round(vx)) * 4;
    expect([mapPixels.rgba[i], mapPixels.rgba[i + 1], mapPixels.rgba[i + 2]]).toEqual([108, 199, 210]);

    // The readout names the inline and crossline of the trace under the cursor.
    const canvasBox = (await page().getByTestId('section-canvas').boundingBox())!;
    const trace = Math.floor(line.traces * 0.25);
    await page().mouse.move(
      canvasBox.x + ((trace + 0.5) / line.traces) * canvasBox.width,
      canvasBox.y + canvasBox.height / 2,
    );
    await waitFor(
      'the arbitrary line readout',
      () =>
        page()
          .getByTestId('status-readout')
          .innerText()
          .catch(() => ''),
      (text) => text.includes(`IL ${line.cells.inlines[trace]}`) && text.includes(`XL ${line.cells.crosslines[trace]}`),
    );
    await session.screenshot('18-f3-arbitrary-line');
  });

  it('shows the full trace header of the trace under the cursor (H)', async () => {
    await page().locator('button[data-axis="inline"]').click();
    await waitFor(
      'an inline',
      () => viewer().getAttribute('data-axis'),
      (a) => a === 'inline',
    );
    const box = (await page().getByTestId('section-canvas').boundingBox())!;
    await page().mouse.move(box.x + box.width * 0.62, box.y + box.height * 0.4);
    const readout = await waitFor(
      'the cursor readout',
      () =>
        page()
          .getByTestId('status-readout')
          .innerText()
          .catch(() => ''),
      (text) => /IL \d+/.test(text) && /XL \d+/.test(text),
    );
    const inline = Number(/IL (\d+)/.exec(readout)![1]);
    const crossline = Number(/XL (\d+)/.exec(readout)![1]);
    await viewer().focus();
    await page().keyboard.press('h');
    const dialog = page().getByRole('dialog', { name: `Trace header · IL ${inline} · XL ${crossline}` });
    await dialog.waitFor();
    const rows = dialog.getByTestId('trace-header').locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(80);
    const valueAt = async (byte: number) =>
      Number(await dialog.locator(`tr[data-byte="${byte}"] td:last-child`).innerText());
    expect(await valueAt(189)).toBe(inline);
    expect(await valueAt(193)).toBe(crossline);
    // The header is the file's own: the same bytes as trace il * 18 + xl of f3.sgy (complete and sorted).
    const survey = await page().evaluate(
      (id) => (globalThis as unknown as PageGlobals).promethium.survey.get(id),
      f3Id,
    );
    const grid = survey.description!.grid!;
    const expectedTrace = (inline - grid.inlines.first) * grid.crosslines.count + (crossline - grid.crosslines.first);
    await expect(dialog.innerText()).resolves.toContain(`Trace ${expectedTrace + 1} of the SEG-Y file`);
    await dialog.getByTestId('trace-header-filter').fill('sample');
    expect(await rows.count()).toBeLessThan(10);
    await expect(dialog.locator('tr[data-byte="115"] td:nth-child(2)').innerText()).resolves.toMatch(/sample/i);
    await session.screenshot('19-f3-trace-header');
    await page().keyboard.press('Escape');
    await expect(dialog.count()).resolves.toBe(0);
  });

  it('shows the average amplitude spectrum and the f-k spectrum of the shown line', async () => {
    await page().getByTestId('spectra-group').locator('summary').click();
    const spectra = page().getByTestId('section-spectra');
    const fk = page().getByTestId('fk-canvas');
    await waitFor(
      'the f-k image',
      () => fk.getAttribute('data-fk-ready'),
      (v) => v === 'true',
    );
    await page().getByTestId('amplitude-spectrum').waitFor();
    const peakHz = Number(await spectra.getAttribute('data-peak-hz'));
    // F3 at 4 ms: a band-limited reflection wavelet, its peak well inside 5..60 Hz (Nyquist 125 Hz).
    expect(peakHz).toBeGreaterThan(5);
    expect(peakHz).toBeLessThan(60);
    const image = await canvasPixelsOf(page(), '[data-testid="fk-canvas"]');
    expect(distinctColours(image)).toBeGreaterThan(20);
    // Reflectors of an inline are nearly flat: the f-k energy sits near zero wavenumber (the middle column).
    const columns = new Float64Array(image.width);
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        const i = (y * image.width + x) * 4;
        columns[x]! += image.rgba[i]! + image.rgba[i + 1]! + image.rgba[i + 2]!;
      }
    }
    const brightest = columns.indexOf(Math.max(...columns));
    console.log(
      `[viewer] spectra: peak ${peakHz} Hz; f-k ${image.width} x ${image.height}, brightest column ${brightest}`,
    );
    expect(Math.abs(brightest - image.width / 2)).toBeLessThanOrEqual(image.width / 8);
    await session.screenshot('20-f3-spectra');
    await page().getByTestId('spectra-group').locator('summary').click();
  });

  it('wraps the toolbar cleanly at 1440 px, and the 3D tab shows only the controls that act on it', async () => {
    expect(page().viewportSize()?.width).toBe(1440);
    for (const axis of ['inline', 'arbitrary', '3d']) {
      await page().locator(`button[data-axis="${axis}"]`).click();
      await page().waitForTimeout(200);
      const toolbar = page().getByTestId('survey-toolbar');
      const outer = (await toolbar.boundingBox())!;
      const overflow = await toolbar.evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(overflow, `${axis}: toolbar overflow`).toBeLessThanOrEqual(0);
      const boxes = (await page().evaluate(`(${CHILD_BOXES})('[data-testid="survey-toolbar"]')`)) as {
        name: string;
        left: number;
        right: number;
        top: number;
        bottom: number;
        group: boolean;
      }[];
      for (const b of boxes) {
        expect(b.right, `${axis}: ${b.name} inside the toolbar`).toBeLessThanOrEqual(outer.x + outer.width + 0.5);
        expect(b.left).toBeGreaterThanOrEqual(outer.x - 0.5);
      }
      // No two controls of the same level overlap.
      for (const level of [true, false]) {
        const items = boxes.filter((b) => b.group === level);
        for (let i = 0; i < items.length; i++) {
          for (let j = i + 1; j < items.length; j++) {
            const [a, b] = [items[i]!, items[j]!];
            const overlap =
              Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
              Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
            expect(overlap, `${axis}: ${a.name} overlaps ${b.name}`).toBe(false);
          }
        }
      }
      await session.screenshot(`21-toolbar-${axis}`);
    }
    // 3D: colormap, clip and gain act on the slices; AGC, wiggles, the 2D key hints and the spectra do not, and are gone.
    await page().getByTestId('volume-view').waitFor();
    for (const id of ['display-agc', 'display-wiggles', 'display-clip-mode', 'spectra-group'])
      await expect(page().getByTestId(id).count(), id).resolves.toBe(0);
    for (const id of ['display-colormap', 'display-clip', 'display-gain'])
      await expect(page().getByTestId(id).count(), id).resolves.toBe(1);
    await expect(page().getByTestId('display-hint').innerText()).resolves.toMatch(/orbit/);
    const ramp = await page().locator('.ramp-labels').innerText();
    expect(ramp).not.toMatch(/^−0\b/);
    await page().locator('button[data-axis="inline"]').click();
    await waitFor(
      'back to inlines',
      () => viewer().getAttribute('data-axis'),
      (a) => a === 'inline',
    );
    await expect(page().getByTestId('display-agc').count()).resolves.toBe(1);
  });

  it('3D view: volume rendering of the downsampled cube, on and off, leaves the GPU resource counts as before', async () => {
    type GpuCounts = { textures: number; geometries: number; materials: number; renderers: number };
    const gpu = () => page().evaluate<GpuCounts>('({ ...window.__promethiumGpu })');
    const volume = () => page().getByTestId('volume-view');
    const pixels = () => canvasPixelsOf(page(), '[data-testid="volume-canvas"]');
    await page().locator('button[data-axis="3d"]').click();
    await waitFor(
      'three slices drawn with the box',
      async () => `${await volume().getAttribute('data-slices')} ${await volume().getAttribute('data-draw-calls')}`,
      (s) => s === '3 4',
    );
    await page().waitForTimeout(200);
    const before = await gpu();
    const slices = await pixels();
    await session.screenshot('22-3d-slices');

    await page().getByTestId('volume-rendering').check();
    await waitFor(
      'the cube ray-marched with the box',
      async () => `${await volume().getAttribute('data-volume')} ${await volume().getAttribute('data-draw-calls')}`,
      (s) => s === 'on 2',
    );
    await page().waitForTimeout(200);
    const during = await gpu();
    const cube = await pixels();
    await session.screenshot('23-3d-volume-rendering');
    // One 3D texture, one box geometry, one material more; drawn over the dark background (#15181d) in colormap colours.
    expect(during.textures - before.textures).toBe(1);
    expect(during.geometries - before.geometries).toBe(1);
    expect(during.materials - before.materials).toBe(1);
    let covered = 0;
    let changed = 0;
    for (let i = 0; i < cube.rgba.length; i += 4) {
      const [r, g, b] = [cube.rgba[i]!, cube.rgba[i + 1]!, cube.rgba[i + 2]!];
      if (Math.abs(r - 0x15) + Math.abs(g - 0x18) + Math.abs(b - 0x1d) > 30) covered++;
      const diff =
        Math.abs(r - slices.rgba[i]!) + Math.abs(g - slices.rgba[i + 1]!) + Math.abs(b - slices.rgba[i + 2]!);
      if (diff > 30) changed++;
    }
    const count = cube.rgba.length / 4;
    console.log(
      `[3d] volume rendering: ${((covered / count) * 100).toFixed(1)}% covered, ${distinctColours(cube)} colours, ` +
        `${((changed / count) * 100).toFixed(1)}% of pixels differ from the slices`,
    );
    expect(covered / count).toBeGreaterThan(0.05);
    expect(distinctColours(cube)).toBeGreaterThan(50);
    expect(changed / count).toBeGreaterThan(0.05);

    await page().getByTestId('volume-rendering').uncheck();
    await waitFor(
      'the slices again',
      async () => `${await volume().getAttribute('data-volume')} ${await volume().getAttribute('data-draw-calls')}`,
      (s) => s === 'off 4',
    );
    const after = await gpu();
    expect({ ...after, created: 0 }).toEqual({ ...before, created: 0 });
    await page().locator('button[data-axis="inline"]').click();
  });

  it('browses the gathers of a pre-stack survey', async () => {
    await importAndOpen('viking_small.segy');
    await expect(page().getByTestId('section-label').innerText()).resolves.toMatch(/^Gather \d+$/);
    expect(distinctColours(await canvasPixels())).toBeGreaterThan(50);
    const first = await viewer().getAttribute('data-label');
    await viewer().focus();
    await page().keyboard.press('PageDown');
    await waitFor(
      'the next gather',
      () => viewer().getAttribute('data-label'),
      (l) => l !== first,
    );
    await session.screenshot('15-viking-gather');
    const box = (await page().getByTestId('section-canvas').boundingBox())!;
    await page().mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.3);
    await waitFor(
      'the gather readout',
      () =>
        page()
          .getByTestId('status-readout')
          .innerText()
          .catch(() => ''),
      (text) => /offset -?\d+/.test(text) && text.includes('amp'),
    );
  });

  it('shows missing traces hatched, in the readout and on the base map', async () => {
    const id = await importAndOpen('ex1_missing_traces_75x71x26.segy');
    // An inline with a missing trace away from the edges, found through the API.
    const target = await page().evaluate(async (surveyId) => {
      const api = (globalThis as unknown as PageGlobals).promethium;
      const first = await api.section.get({ surveyId, axis: 'inline', index: 0 });
      for (let index = 0; index < first.count; index++) {
        const s = index === 0 ? first : await api.section.get({ surveyId, axis: 'inline', index });
        for (let t = 2; t < s.traces - 2; t++) {
          if (!s.live[t] && !s.live[t + 1]) return { index, label: s.label, trace: t, traces: s.traces };
        }
      }
      return null;
    }, id);
    expect(target, 'an inline with two adjacent missing traces').not.toBeNull();
    const line = page().getByTestId('line-number');
    await line.fill(target!.label.replace('Inline ', ''));
    await line.press('Enter');
    await waitFor(
      'the inline with missing traces',
      () => viewer().getAttribute('data-label'),
      (l) => l === target!.label,
    );
    await page().waitForTimeout(100);

    // The missing trace's column: grey hatching (two greys, r ~ g ~ b), not a colormap colour.
    const pixels = await canvasPixels();
    const x = Math.floor(((target!.trace + 1) / target!.traces) * pixels.width);
    const greys = new Set<number>();
    for (let y = 10; y < pixels.height - 10; y += 3) {
      const i = (y * pixels.width + x) * 4;
      const [r, g, b] = [pixels.rgba[i]!, pixels.rgba[i + 1]!, pixels.rgba[i + 2]!];
      expect(Math.max(r, g, b) - Math.min(r, g, b), `hatching at (${x}, ${y})`).toBeLessThan(16);
      expect(r).toBeLessThan(110);
      greys.add(r);
    }
    expect(greys.size).toBeGreaterThanOrEqual(2);

    const box = (await page().getByTestId('section-canvas').boundingBox())!;
    await page().mouse.move(box.x + x + 0.5, box.y + box.height / 2);
    await waitFor(
      'the dead-trace readout',
      () =>
        page()
          .getByTestId('status-readout')
          .innerText()
          .catch(() => ''),
      (text) => text.includes('dead trace'),
    );
    await session.screenshot('17-missing-traces');
  });

  it('had no page errors and no console errors', () => {
    expect(session.errors).toEqual([]);
  });
});
