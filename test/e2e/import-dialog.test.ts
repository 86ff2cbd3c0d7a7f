/**
 * The import dialog and notices an interpreter can trust, in Chromium against the browser mode: a file that is not
 * SEG-Y gets its reason in the dialog itself; a 2D line is announced as one (no grid confidence, no alternatives
 * scored 0); an imported survey opens by itself; notices close with their button and go away by themselves.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameOf, pickFile, synthSegy } from './flows';
import { hasChromium, openBrowser, startServer, waitFor, type BrowserSession, type RunningServer } from './harness';

const TEXT_FILE = 'notes.sgy';
const LINE = 'line_120x300.sgy';

describe.skipIf(!hasChromium)('import dialog and notices', () => {
  let server: RunningServer;
  let session: BrowserSession;
  let dataDir = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'promethium-e2e-import-'));
    mkdirSync(path.join(dataDir, 'segy'));
    writeFileSync(path.join(dataDir, 'segy', TEXT_FILE), 'survey notes: reprocess line 12 in June\n');
    synthSegy(path.join(dataDir, 'segy', LINE), ['--kind', 'line', '--crosslines', '120', '--samples', '300'], 3);
    server = await startServer({ env: { PROMETHIUM_DATA_DIRS: dataDir } });
    session = await openBrowser(server.url);
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const page = () => session.page;

  it('says in the dialog why a file that is not SEG-Y cannot be read, and raises no notice for it', async () => {
    await page().locator('nav').getByRole('button', { name: 'Open SEG-Y…' }).click();
    const picker = page().getByRole('dialog', { name: 'Open SEG-Y' });
    await picker.locator('button[data-name="segy"]').click();
    await picker.locator(`button[data-name="${TEXT_FILE}"]`).click();
    await picker.getByRole('button', { name: 'Open', exact: true }).click();
    const dialog = page().getByRole('dialog', { name: 'Import SEG-Y' });
    const failure = dialog.getByTestId('import-failure');
    await failure.waitFor();
    const reason = await failure.innerText();
    expect(reason).toMatch(/text|bytes|SEG-Y/i);
    expect(reason).not.toBe('The file could not be read.');
    await expect(page().locator('[aria-label="Notifications"] [role="alert"]').count()).resolves.toBe(0);
    await session.screenshot('import-not-segy');
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('announces a 2D line as one, without a grid confidence or alternatives scored 0, and opens it once imported', async () => {
    const dialog = await pickFile(page(), LINE);
    const geometry = await dialog.getByTestId('import-geometry').innerText();
    if (/3D grid/.test(geometry)) {
      // The synthetic line carries inline/crossline numbers: then the grid is stated with its bytes.
      expect(geometry).toMatch(/byte \d+/);
    } else {
      expect(geometry).toMatch(/2D line/);
      await expect(dialog.getByTestId('header-confidence').count()).resolves.toBe(0);
    }
    const scores = await dialog.locator('[data-testid="header-alternatives"] .num').allInnerTexts();
    expect(scores.filter((score) => score === 'score 0.00')).toEqual([]);
    await session.screenshot('import-2d-line');
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await waitFor(
      'the imported line opened',
      () => page().locator('main').getAttribute('data-view'),
      (view) => view === 'survey',
      60_000,
      200,
    );
    await waitFor(
      'its first frame',
      () => frameOf(page()),
      (n) => n >= 1,
    );
  });

  it('closes notices with their button, and lets them go by themselves', async () => {
    // File › Export (Ctrl+E) of a survey without a derived volume: an info notice.
    await page().keyboard.press('Control+e');
    const info = page().locator('[aria-label="Notifications"] [role="status"]');
    await info.first().waitFor();
    await info
      .first()
      .getByRole('button', { name: /Dismiss/ })
      .click();
    await expect(info.count()).resolves.toBe(0);
    await page().keyboard.press('Control+e');
    await info.first().waitFor();
    await waitFor(
      'the notice gone by itself',
      () => info.count(),
      (n) => n === 0,
      12_000,
      250,
    );
  });
});
