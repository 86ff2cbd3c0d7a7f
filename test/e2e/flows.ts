/**
 * Shared interpreter flows for the e2e suites: open a SEG-Y file through the browser-mode file picker and the import
 * dialog, wait for the import, open the survey; read a canvas's pixels. Page-side code is passed as strings because the
 * test tsconfig has no DOM types.
 */
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { ROOT, waitFor } from './harness';

export interface Pixels {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** Picks a SEG-Y file (under the data root's segy/ folder) in the file picker and returns the import dialog. */
export async function pickFile(page: Page, name: string): Promise<Locator> {
  await page.locator('nav').getByRole('button', { name: 'Open SEG-Y…' }).click();
  const picker = page.getByRole('dialog', { name: 'Open SEG-Y' });
  await picker.waitFor();
  await picker.locator('button[data-name="segy"]').click();
  await picker.locator(`button[data-name="${name}"]`).click();
  await expect(picker.locator('[aria-current="location"]').innerText()).resolves.toBe('segy');
  await picker.getByRole('button', { name: 'Open', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Import SEG-Y' });
  await dialog.waitFor();
  await dialog.getByTestId('header-map').waitFor();
  return dialog;
}

/** The frames drawn by the first section viewer matching `selector`. */
export async function frameOf(page: Page, selector = '[data-testid="section-viewer"]'): Promise<number> {
  return Number((await page.locator(selector).first().getAttribute('data-frame')) ?? '0');
}

/** Imports a file through the UI, waits until it is ready, opens it; returns the survey id. */
export async function importAndOpen(page: Page, name: string, timeoutMs = 60_000): Promise<string> {
  const dialog = await pickFile(page, name);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  const item = page.locator('[data-testid="survey-list"] li', { hasText: name.replace(/\.(sgy|segy)$/, '') });
  await waitFor(
    `${name} imported`,
    () => item.getAttribute('data-state'),
    (state) => state === 'ready',
    timeoutMs,
    200,
  );
  await item.getByRole('button').click();
  await waitFor(
    'the first frame',
    () => frameOf(page),
    (n) => n >= 1,
  );
  return (await item.getAttribute('data-survey-id'))!;
}

/** The pixels of a canvas (WebGL ones keep their drawing buffer), through a 2D copy, as base64. */
export async function canvasPixels(page: Page, selector: string): Promise<Pixels> {
  const result = await page.evaluate<{ width: number; height: number; base64: string }>(`(() => {
    const source = document.querySelector(${JSON.stringify(selector)});
    const copy = document.createElement('canvas');
    copy.width = source.width;
    copy.height = source.height;
    const ctx = copy.getContext('2d');
    ctx.drawImage(source, 0, 0);
    const bytes = ctx.getImageData(0, 0, source.width, source.height).data;
    let binary = '';
    for (let i = 0; i < bytes.length; i += 32768) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 32768));
    return { width: source.width, height: source.height, base64: btoa(binary) };
  })()`);
  return { width: result.width, height: result.height, rgba: Buffer.from(result.base64, 'base64') };
}

export function distinctColours(pixels: Pixels): number {
  const seen = new Set<number>();
  for (let i = 0; i < pixels.rgba.length; i += 4) {
    seen.add((pixels.rgba[i]! << 16) | (pixels.rgba[i + 1]! << 8) | pixels.rgba[i + 2]!);
  }
  return seen.size;
}

/** Mean colour of a canvas (to tell panels apart). */
export function meanColour(pixels: Pixels): [number, number, number] {
  let [r, g, b] = [0, 0, 0];
  const n = pixels.rgba.length / 4;
  for (let i = 0; i < pixels.rgba.length; i += 4) {
    r += pixels.rgba[i]!;
    g += pixels.rgba[i + 1]!;
    b += pixels.rgba[i + 2]!;
  }
  return [r / n, g / n, b / n];
}

export { median } from '../bench/stats';

/**
 * Every inline, concatenated, read through the page's API: `fetchInline` is a JavaScript expression of `api` (the
 * preload bridge) and `il` (the inline index) that returns one section.
 */
async function inlinesThroughApi(page: Page, fetchInline: string): Promise<Float32Array> {
  const base64 = await page.evaluate<string>(`(async () => {
    const api = window.promethium;
    const fetchInline = (il) => ${fetchInline};
    const first = await fetchInline(0);
    const all = new Float32Array(first.count * first.data.length);
    for (let il = 0; il < first.count; il++) {
      const s = il === 0 ? first : await fetchInline(il);
      all.set(s.data, il * first.data.length);
    }
    const bytes = new Uint8Array(all.buffer);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 32768) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 32768));
    return btoa(binary);
  })()`);
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/**
 * Every inline of a derived volume (or of its uncertainty) through the page's API, as one Float32Array in
 * [inline][crossline][sample] order: what an export of it must hold.
 */
export function volumeSamples(page: Page, volumeId: string, uncertainty = false): Promise<Float32Array> {
  return inlinesThroughApi(
    page,
    `api.volumes.section({ volumeId: ${JSON.stringify(volumeId)}, axis: 'inline', index: il, uncertainty: ${uncertainty} })`,
  );
}

/** Every inline of a survey through the page's API, in the order of `volumeSamples` (to compare a volume with its input). */
export function surveySamples(page: Page, surveyId: string): Promise<Float32Array> {
  return inlinesThroughApi(
    page,
    `api.section.get({ surveyId: ${JSON.stringify(surveyId)}, axis: 'inline', index: il })`,
  );
}

/** Mean absolute difference of two same-sized pictures over their RGB channels (0..255). */
export function pixelDistance(a: Pixels, b: Pixels): number {
  expect(a.rgba.length).toBe(b.rgba.length);
  let sum = 0;
  for (let i = 0; i < a.rgba.length; i += 4) {
    sum += Math.abs(a.rgba[i]! - b.rgba[i]!) + Math.abs(a.rgba[i + 1]! - b.rgba[i + 1]!);
    sum += Math.abs(a.rgba[i + 2]! - b.rgba[i + 2]!);
  }
  return sum / ((a.rgba.length / 4) * 3);
}

/** Writes a seeded synthetic SEG-Y with the built CLI (`promethium synth --out FILE --seed SEED ARGS`). */
export function synthSegy(file: string, args: string[], seed = 7): void {
  execFileSync(process.execPath, ['bin/promethium.cjs', 'synth', '--out', file, '--seed', String(seed), ...args], {
    cwd: ROOT,
    stdio: 'pipe',
  });
}
