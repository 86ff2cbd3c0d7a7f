/**
 * The 3D view and the renderer's resource discipline, in Chromium against the browser mode, on generated surveys (seeded
 * `promethium synth`): a 220-inline cube (3D view: three slices drawn, labelled box, slider moves, everything disposed
 * when it closes; 200 inlines browsed with the GPU resource counters flat) and a 1000 x 1500 line (pan/zoom frame times,
 * measured and reported, not asserted tightly).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasPixels, distinctColours, frameOf, importAndOpen, median, synthSegy } from './flows';
import { hasChromium, openBrowser, startServer, waitFor, type BrowserSession, type RunningServer } from './harness';

interface GpuCounts {
  textures: number;
  geometries: number;
  materials: number;
  renderers: number;
  created: number;
}

const CUBE = 'cube_220x60x120.sgy';
const LINE = 'line_1000x1500.sgy';

describe.skipIf(!hasChromium)('3D view, frame times and GPU resources', () => {
  let server: RunningServer;
  let session: BrowserSession;
  let dataDir = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'promethium-e2e-data-'));
    mkdirSync(path.join(dataDir, 'segy'));
    synthSegy(path.join(dataDir, 'segy', CUBE), [
      '--kind',
      'cube',
      '--inlines',
      '220',
      '--crosslines',
      '60',
      '--samples',
      '120',
    ]);
    synthSegy(path.join(dataDir, 'segy', LINE), ['--kind', 'line', '--crosslines', '1000', '--samples', '1500']);
    server = await startServer({ env: { PROMETHIUM_DATA_DIRS: dataDir } });
    session = await openBrowser(server.url);
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const page = () => session.page;
  const gpu = () => page().evaluate<GpuCounts>('({ ...window.__promethiumGpu })');
  const volume = () => page().getByTestId('volume-view');

  it('draws the three slices of a cube in a labelled box', async () => {
    await importAndOpen(page(), CUBE, 120_000);
    const before = await gpu();
    await page().locator('button[data-axis="3d"]').click();
    await waitFor(
      'three slices',
      () => volume().getAttribute('data-slices'),
      (n) => n === '3',
    );
    await waitFor(
      'a frame with three slices and the box',
      async () => Number(await volume().getAttribute('data-draw-calls')),
      (n) => n >= 4,
    );
    await page().waitForTimeout(200);
    const pixels = await canvasPixels(page(), '[data-testid="volume-canvas"]');
    // Background is #15181d; the slices cover a good part of the canvas in colormap colours.
    let covered = 0;
    let reddish = 0;
    let bluish = 0;
    for (let i = 0; i < pixels.rgba.length; i += 4) {
      const [r, g, b] = [pixels.rgba[i]!, pixels.rgba[i + 1]!, pixels.rgba[i + 2]!];
      if (Math.abs(r - 0x15) + Math.abs(g - 0x18) + Math.abs(b - 0x1d) > 30) covered++;
      if (r > b + 60) reddish++;
      if (b > r + 60) bluish++;
    }
    await session.screenshot('50-3d-view');
    const share = covered / (pixels.rgba.length / 4);
    const colours = distinctColours(pixels);
    console.log(
      `[3d] ${pixels.width}x${pixels.height}: ${(share * 100).toFixed(1)}% covered, ${colours} colours, ` +
        `${reddish} red-side and ${bluish} blue-side pixels, draw calls ${await volume().getAttribute('data-draw-calls')}`,
    );
    expect(share).toBeGreaterThan(0.15);
    expect(colours).toBeGreaterThan(100);
    expect(reddish).toBeGreaterThan(500);
    expect(bluish).toBeGreaterThan(500);
    const labels = await volume().locator('.label').allInnerTexts();
    expect(labels).toEqual(expect.arrayContaining(['Inline', 'Crossline', 'Time (ms)', 'IL 1000', 'XL 2000']));

    // Orbit with the keys, move the time slice: textures are replaced, not added.
    const during = await gpu();
    await volume().focus();
    const frames = await frameOf(page(), '[data-testid="volume-view"]');
    await page().keyboard.press('ArrowRight');
    await waitFor(
      'an orbit frame',
      () => frameOf(page(), '[data-testid="volume-view"]'),
      (n) => n > frames,
    );
    const slider = page().locator('input[data-slice="time"]');
    await slider.fill('20');
    await waitFor(
      'the time slice moved',
      () => volume().getAttribute('data-frame'),
      () => true,
    );
    await page().waitForTimeout(400);
    expect((await gpu()).textures).toBe(during.textures);
    await session.screenshot('51-3d-moved');

    // Leaving the 3D view frees everything it made.
    await page().locator('button[data-axis="inline"]').click();
    await waitFor(
      'the section viewer back',
      () => frameOf(page()),
      (n) => n >= 1,
    );
    await page().waitForTimeout(200);
    const after = await gpu();
    console.log(
      `[3d] GPU resources before ${JSON.stringify(before)}, with 3D ${JSON.stringify(during)}, after ${JSON.stringify(after)}`,
    );
    expect(after.textures).toBe(before.textures);
    expect(after.geometries).toBe(before.geometries);
    expect(after.materials).toBe(before.materials);
    expect(after.renderers).toBe(before.renderers);
  });

  it('browses 200 inlines with flat GPU resources and JS heap', async () => {
    const viewer = page().getByTestId('section-viewer');
    await page().locator('input[aria-label="Position along the inline axis"]').fill('0');
    await waitFor(
      'inline index 0',
      () => page().getByTestId('section-label').innerText(),
      (l) => /^Inline \d+$/.test(l),
    );
    await viewer.focus();
    const heap = () => page().evaluate<number>('performance.memory ? performance.memory.usedJSHeapSize : 0');
    const uploads = async () => Number(await viewer.getAttribute('data-uploads'));
    const uploadsStart = await uploads();
    const start = await gpu();
    const heapStart = await heap();
    const started = Date.now();
    for (let i = 0; i < 200; i++) {
      await page().evaluate(`new Promise((resolve) => {
        const el = document.querySelector('[data-testid="section-viewer"]');
        const before = el.dataset.label;
        const observer = new MutationObserver(() => {
          if (el.dataset.label === before) return;
          observer.disconnect();
          resolve();
        });
        observer.observe(el, { attributes: true, attributeFilter: ['data-label'] });
        el.dispatchEvent(new KeyboardEvent('keydown', { key: 'PageDown', bubbles: true }));
      })`);
    }
    const seconds = (Date.now() - started) / 1000;
    const end = await gpu();
    const heapEnd = await heap();
    const uploadsEnd = await uploads();
    console.log(
      `[memory] 200 inlines in ${seconds.toFixed(1)} s (${((seconds * 1000) / 200).toFixed(0)} ms each): GPU ${JSON.stringify(start)} -> ${JSON.stringify(end)}; ` +
        `JS heap ${(heapStart / 1e6).toFixed(1)} MB -> ${(heapEnd / 1e6).toFixed(1)} MB; uploads ${uploadsStart} -> ${uploadsEnd}`,
    );
    // Every inline shown reached the GPU once, into the same textures (same-size lines refill them in place, which is
    // what keeps a line change fast); nothing allocated on the way is left behind.
    expect(uploadsEnd - uploadsStart).toBe(200);
    expect(end.created - start.created).toBeLessThanOrEqual(2);
    expect(end.textures).toBe(start.textures);
    expect(end.geometries).toBe(start.geometries);
    expect(end.materials).toBe(start.materials);
    expect(end.renderers).toBe(start.renderers);
  });

  it('File › Export (its Ctrl+E in the browser): no derived volume yet, then the newest volume’s export dialog, its folder from the server’s picker', async () => {
    const exportDialog = page().getByRole('dialog', { name: 'Export volume' });
    await page().keyboard.press('Control+e');
    await page()
      .locator('[role="status"]', { hasText: 'No derived volume to export yet' })
      .waitFor({ timeout: 10_000 });
    await expect(exportDialog.count()).resolves.toBe(0);

    const api = <T>(call: string) =>
      page().evaluate<T>(`(async () => { const api = window.promethium; return ${call}; })()`);
    const surveys = await api<{ id: string; sourcePath: string }[]>('api.survey.list()');
    const surveyId = surveys.find((s) => s.sourcePath.endsWith(CUBE))!.id;
    const { volume } = await api<{ volume: { id: string; name: string } }>(
      `api.volumes.apply({ surveyId: '${surveyId}', task: 'denoise', method: 'median', tta: false, ensemble: 1, inlines: [0, 3] })`,
    );
    await waitFor(
      'the derived volume finished',
      () => api<{ state: string }>(`api.volumes.get('${volume.id}')`),
      (v) => v.state !== 'running',
      60_000,
      250,
    );
    await page().keyboard.press('Control+e');
    await exportDialog.waitFor({ timeout: 10_000 });
    await expect(exportDialog.innerText()).resolves.toContain(volume.name);
    // The path's folder from the server's picker (the one Open uses), the file name kept.
    const name = (await exportDialog.getByTestId('export-path').inputValue()).replace(/^.*\//, '');
    await exportDialog.getByTestId('export-choose-folder').click();
    const picker = page().getByRole('dialog', { name: 'Choose a folder' });
    await picker.locator('button[data-name="segy"]').click();
    // The listing of the folder arrives from the server after the click.
    await waitFor(
      'the picker to open the segy folder',
      () => picker.locator('[aria-current="location"]').innerText(),
      (location) => location === 'segy',
    );
    await picker.getByRole('button', { name: 'Use this folder' }).click();
    await expect(exportDialog.getByTestId('export-path').inputValue()).resolves.toBe(
      `${path.join(dataDir, 'segy')}/${name}`,
    );
    await exportDialog.getByRole('button', { name: 'Cancel' }).click();
    await exportDialog.waitFor({ state: 'detached' });
  });

  it('measures pan and zoom frame times on a 1000 x 1500 section', async () => {
    await importAndOpen(page(), LINE, 120_000);
    const viewer = page().getByTestId('section-viewer');
    await expect(viewer.getAttribute('data-label')).resolves.toBeTruthy();
    const box = (await page().getByTestId('section-canvas').boundingBox())!;
    console.log(
      `[perf] canvas ${box.width}x${box.height} CSS px, float-linear ${await viewer.getAttribute('data-float-linear')}`,
    );
    // Page-side: 60 zoom steps then 60 pan steps, one per animation frame; per step the main-thread draw time the
    // viewer reports (data-draw-ms) and the interval between frames.
    const result = await page().evaluate<{
      zoomDraw: number[];
      panDraw: number[];
      zoomInterval: number[];
      panInterval: number[];
    }>(`new Promise((resolve) => {
      const el = document.querySelector('[data-testid="section-viewer"]');
      const overlay = el.querySelector('canvas.overlay');
      const rect = overlay.getBoundingClientRect();
      const cx = rect.left + rect.width / 2, cy = rect.top + rect.height / 2;
      const out = { zoomDraw: [], panDraw: [], zoomInterval: [], panInterval: [] };
      let step = 0, last = performance.now(), lastFrame = el.dataset.frame;
      overlay.dispatchEvent(new PointerEvent('pointerdown', { button: 0, clientX: cx, clientY: cy, pointerId: 1, bubbles: true }));
      const tick = () => {
        const now = performance.now();
        if (step > 0 && el.dataset.frame !== lastFrame) {
          const phase = step <= 60 ? 'zoom' : 'pan';
          out[phase + 'Draw'].push(Number(el.dataset.drawMs));
          out[phase + 'Interval'].push(now - last);
        }
        last = now; lastFrame = el.dataset.frame;
        if (step < 60) {
          overlay.dispatchEvent(new WheelEvent('wheel', { deltaY: step < 30 ? -60 : 60, clientX: cx, clientY: cy, bubbles: true, cancelable: true }));
        } else if (step < 120) {
          const dx = Math.sin(step / 6) * 80;
          overlay.dispatchEvent(new PointerEvent('pointermove', { clientX: cx + dx, clientY: cy + dx / 2, pointerId: 1, bubbles: true }));
        } else {
          overlay.dispatchEvent(new PointerEvent('pointerup', { pointerId: 1, bubbles: true }));
          resolve(out);
          return;
        }
        step++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })`);
    const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)] ?? NaN;
    const summary = (name: string, values: number[]) =>
      `${name} median ${median(values).toFixed(2)} ms, p95 ${p95(values).toFixed(2)} ms (n ${values.length})`;
    console.log(
      `[perf] 1000 x 1500: ${summary('zoom draw', result.zoomDraw)}; ${summary('zoom frame interval', result.zoomInterval)}; ` +
        `${summary('pan draw', result.panDraw)}; ${summary('pan frame interval', result.panInterval)}`,
    );
    expect(result.zoomDraw.length).toBeGreaterThan(10);
    expect(result.panDraw.length).toBeGreaterThan(10);
    // A loose sanity bound only (software rendering in CI): a frame far from a second.
    expect(median(result.zoomDraw)).toBeLessThan(500);
    await session.screenshot('52-line-1000x1500');
  });

  it('had no page errors and no console errors', () => {
    expect(session.errors).toEqual([]);
  });
});
