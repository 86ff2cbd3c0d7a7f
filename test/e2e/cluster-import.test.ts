/**
 * Import of a SEG-Y on the Slurm cluster from the app, in Chromium against the browser mode, with a real single-host
 * Slurm started by the test (test/support/slurmCluster.ts): the import dialog's "Run on: Slurm cluster", the jobs
 * panel following the chain of jobs until the final job is done, and the survey listed ready and opening like a
 * local one.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameOf, pickFile, synthSegy } from './flows';
import { hasChromium, openBrowser, startServer, waitFor, type BrowserSession, type RunningServer } from './harness';
import { slurmUnavailable, startTestSlurm, type TestSlurm } from '../support/slurmCluster';

const CUBE = 'cluster_import_16x40x200.sgy';
const unavailable = slurmUnavailable();

describe.skipIf(!hasChromium || unavailable !== null)('import of a SEG-Y on the Slurm cluster, from the app', () => {
  let slurm: TestSlurm;
  let server: RunningServer;
  let session: BrowserSession;
  let dataDir = '';

  beforeAll(async () => {
    slurm = startTestSlurm();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'promethium-e2e-cluster-import-'));
    mkdirSync(path.join(dataDir, 'segy'));
    const size = ['--inlines', '16', '--crosslines', '40', '--samples', '200'];
    synthSegy(path.join(dataDir, 'segy', CUBE), ['--kind', 'cube', ...size]);
    server = await startServer({ env: { PROMETHIUM_DATA_DIRS: dataDir, SLURM_CONF: slurm.env.SLURM_CONF! } });
    session = await openBrowser(server.url);
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await server?.stop();
    slurm?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('submits the import as a chain of jobs and follows it to a ready survey that opens', async () => {
    const page = session.page;
    const dialog = await pickFile(page, CUBE);
    await dialog.getByTestId('import-on-cluster').click();
    await session.screenshot('cluster-import-dialog');
    await dialog.getByRole('button', { name: 'Submit to the cluster', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('cluster-imports').locator('li').first();
    await waitFor(
      'the final job to be done',
      () => row.getAttribute('data-final-state'),
      (state) => state === 'done',
      180_000,
      500,
    );
    await expect(row.textContent()).resolves.toMatch(/scan pieces, (\d+) of \1 blocks of inlines.*finish done/);
    await session.screenshot('cluster-imports-panel');
    const item = page.locator('[data-testid="survey-list"] li', { hasText: CUBE.replace(/\.sgy$/, '') });
    await waitFor(
      'the survey to be listed ready',
      () => item.getAttribute('data-state'),
      (state) => state === 'ready',
    );
    await item.getByRole('button').click();
    await waitFor(
      'the first frame',
      () => frameOf(page),
      (n) => n >= 1,
    );
  }, 240_000);
});
