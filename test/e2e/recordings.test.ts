/**
 * Passive recordings end to end, in Chromium against the browser mode: import the real miniSEED files of
 * ../shared/testdata/mseed as a recording set through the folder picker, open its waveform view (three components of
 * IU.COLA stacked), zoom to the samples, bandpass, see the three spectrograms and their colour bar; then the 40 Hz
 * channel of NL.HGN zoomed to one second; Find anomalies on IU.COLA and the reconstruction of an anomaly's window.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../preload/contract';
import { hasTestdata, testdataPath, TESTDATA_DIR } from '../testdata';
import { canvasPixels, distinctColours } from './flows';
import { hasChromium, openBrowser, startServer, waitFor, type BrowserSession, type RunningServer } from './harness';

const hasMseed = hasTestdata && existsSync(testdataPath('mseed', 'REFERENCE.jsonl'));
if (!hasMseed) console.warn('[e2e recordings] ../shared/testdata/mseed not found: the recordings e2e test is SKIPPED');

describe.skipIf(!hasChromium || !hasMseed)('recordings in the browser mode', () => {
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
  const waveform = () => page().getByTestId('waveform-panel');
  const span = () => page().getByTestId('window-span').innerText();
  /** The waveform's columns once an answer for the current window has been drawn. */
  const samplesPerColumn = () => waveform().getAttribute('data-samples-per-column');

  it('imports the mseed folder as a recording set through the folder picker', async () => {
    await page().locator('nav').getByRole('button', { name: 'Import folder…' }).click();
    const picker = page().getByRole('dialog', { name: 'Choose a folder' });
    await picker.locator('button[data-name="mseed"]').click();
    const location = picker.locator('[aria-current="location"]');
    await waitFor(
      'the mseed folder listed',
      () => location.innerText(),
      (name) => name === 'mseed',
    );
    await picker.getByRole('button', { name: 'Use this folder' }).click();
    const item = page().locator('[data-testid="recording-list"] li', { hasText: 'mseed' });
    await waitFor(
      'the import',
      () => item.getAttribute('data-state'),
      (state) => state === 'ready',
      60_000,
      200,
    );
    await expect(item.innerText()).resolves.toContain('4 channels, 2 stations');
    await item.getByRole('button').click();
    await expect(page().locator('main').getAttribute('data-view')).resolves.toBe('recording');
  });

  it('stacks the three components of IU.COLA over the whole record, with their spectrograms side by side', async () => {
    await expect(page().getByTestId('recording-view').innerText()).resolves.toContain('IU.COLA.00 LH?');
    await expect(span()).resolves.toBe('1 h 10 min');
    await waitFor(
      'the waveforms',
      () => waveform().getAttribute('data-columns'),
      (n) => Number(n) > 0,
      30_000,
    );
    const spectra = page().getByTestId('spectrogram');
    await waitFor(
      'three spectrograms',
      () => spectra.count(),
      (n) => n === 3,
      30_000,
    );
    const names = await spectra.evaluateAll((figures) => figures.map((f) => f.getAttribute('data-channel')));
    expect(names).toEqual(['IU.COLA.00.LH1', 'IU.COLA.00.LH2', 'IU.COLA.00.LHZ']);
    // 1 sps: the low-rate STFT (32-sample segments), 17 frequencies up to 0.5 Hz.
    await expect(spectra.first().innerText()).resolves.toContain('0–0.5 Hz · STFT 32/24/32');
    const pixels = await canvasPixels(page(), '[data-testid="spectrogram"] canvas');
    expect(distinctColours(pixels)).toBeGreaterThan(20);
    await expect(page().getByTestId('colour-bar').innerText()).resolves.toMatch(/-?\d+ dB.*-?\d+ dB/s);
    const trace = await canvasPixels(page(), '[data-testid="waveform-panel"]');
    expect(distinctColours(trace)).toBeGreaterThan(5);
    await session.screenshot('40-recording-view');
  });

  it('zooms in to the samples themselves and bandpasses the window', async () => {
    for (let k = 0; k < 3; k++) await page().getByRole('button', { name: 'Zoom in', exact: true }).click();
    await expect(span()).resolves.toBe('8 min 45 s');
    await waitFor('single samples', samplesPerColumn, (n) => n === '1', 30_000);
    await page().getByLabel('Low corner (Hz)').fill('0.01');
    await page().getByLabel('High corner (Hz)').fill('0.1');
    await page().getByRole('button', { name: 'Apply' }).click();
    await expect(page().locator('.filter-note').innerText()).resolves.toContain('bandpass 0.01–0.1 Hz');
    await page().getByLabel('High corner (Hz)').fill('0.005');
    await page().getByRole('button', { name: 'Apply' }).click();
    await expect(page().getByRole('alert').innerText()).resolves.toContain('high corner above the low corner');
    await page().getByRole('button', { name: 'Whole recording' }).click();
    await expect(span()).resolves.toBe('1 h 10 min');
  });

  it('lists the anomaly ranking of the components and jumps to a window when it is clicked', async () => {
    const list = page().getByTestId('anomaly-list');
    await expect(list.innerText()).resolves.toContain('Not searched yet');
    // Two epochs through the page's API (the button trains the default 20, minutes on a loaded 2-core machine).
    const state = await page().evaluate(async () => {
      const api = (globalThis as unknown as { promethium: Api }).promethium;
      const [set] = await api.recordings.list();
      const sourceIds = set!.channels.filter((c) => c.station === 'COLA').map((c) => c.sourceId);
      let job = await api.recordings.detect({ setId: set!.id, sourceIds, epochs: 2 });
      while (job.state === 'queued' || job.state === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 250));
        job = await api.jobs.get(job.id);
      }
      return job.state;
    });
    expect(state).toBe('done');
    // The list reads the ranking when the components are shown again.
    await page().getByLabel('Instrument').selectOption('NL.HGN.00 BH?');
    await page().getByLabel('Instrument').selectOption('IU.COLA.00 LH?');
    const first = list.locator('button[data-rank="1"]');
    await first.waitFor({ timeout: 30_000 });
    await expect(list.innerText()).resolves.toContain(
      'trained 2 epochs on IU.COLA.00.LH1, IU.COLA.00.LH2, IU.COLA.00.LHZ',
    );
    await first.click();
    // A window is 152 s (16 STFT frames of 32 samples every 8 at 1 sps), shown with as much again on each side.
    await expect(span()).resolves.toBe('7 min 36 s');
    await session.screenshot('42-recording-anomaly');
  }, 300_000);

  it('shows the reconstruction of the window: input, output and difference per component, MSE, before and after', async () => {
    await page().getByRole('checkbox', { name: 'Reconstruction' }).check();
    const view = page().getByTestId('reconstruction');
    await view.getByRole('button', { name: 'Reconstruct this window' }).click();
    const components = view.getByTestId('reconstruction-component');
    await waitFor(
      'the reconstruction job',
      () => components.count(),
      (count) => count === 3,
      120_000,
      250,
    );
    for (let c = 0; c < 3; c++) {
      const rows = components.nth(c).locator('[data-row]');
      await expect(rows.evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-row')))).resolves.toEqual([
        'Input',
        'Output',
        'Difference',
      ]);
      await expect(components.nth(c).getByTestId('reconstruction-errors').innerText()).resolves.toMatch(
        /MSE \d+\.\d\d dB² · MAE \d+\.\d\d dB/,
      );
    }
    await expect(view.getByTestId('reconstruction-original').getByTestId('waveform-panel').count()).resolves.toBe(1);
    await expect(view.getByTestId('reconstruction-denoised').getByTestId('waveform-panel').count()).resolves.toBe(1);
    await session.screenshot('43-recording-reconstruction');
    await page().getByRole('checkbox', { name: 'Reconstruction' }).uncheck();
  }, 180_000);

  it('zooms the 40 Hz channel of NL.HGN down to one second (40 samples)', async () => {
    await page().getByLabel('Instrument').selectOption('NL.HGN.00 BH?');
    await expect(span()).resolves.toBe('4 min 59 s');
    for (let k = 0; k < 10; k++) await page().getByRole('button', { name: 'Zoom in', exact: true }).click();
    await expect(span()).resolves.toBe('1 s');
    await waitFor(
      '40 samples',
      () => waveform().getAttribute('data-columns'),
      (n) => n === '40',
      30_000,
    );
    // One second is shorter than one STFT segment (256 samples, 6.4 s at 40 Hz): the view says so.
    const spectrogram = page().getByTestId('spectrogram');
    await waitFor(
      'the empty spectrogram',
      () => spectrogram.innerText(),
      (text) => text.includes('(6.4 s)'),
      30_000,
    );
    await session.screenshot('41-recording-one-second');
    expect(session.errors).toEqual([]);
  });
});
