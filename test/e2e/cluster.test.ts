/**
 * Apply to volume on the Slurm cluster from the app, in Chromium against the browser mode, with a real single-host
 * Slurm started by the test (test/support/slurmCluster.ts): the dialog's "Run on: Slurm cluster", the jobs panel
 * following the array's tasks until the final job is done, and the volume listed ready.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAndOpen, synthSegy } from './flows';
import { hasChromium, openBrowser, startServer, waitFor, type BrowserSession, type RunningServer } from './harness';
import { slurmUnavailable, startTestSlurm, type TestSlurm } from '../support/slurmCluster';

const CUBE = 'cluster_cube_12x40x200.sgy';
const unavailable = slurmUnavailable();

describe.skipIf(!hasChromium || unavailable !== null)('apply to volume on the Slurm cluster, from the app', () => {
  let slurm: TestSlurm;
  let server: RunningServer;
  let session: BrowserSession;
  let dataDir = '';

  beforeAll(async () => {
    slurm = startTestSlurm();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'promethium-e2e-cluster-'));
    mkdirSync(path.join(dataDir, 'segy'));
    synthSegy(path.join(dataDir, 'segy', CUBE), [
      '--kind',
      'cube',
      '--inlines',
      '12',
      '--crosslines',
      '40',
      '--samples',
      '200',
    ]);
    server = await startServer({ env: { PROMETHIUM_DATA_DIRS: dataDir, SLURM_CONF: slurm.env.SLURM_CONF! } });
    session = await openBrowser(server.url);
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await server?.stop();
    slurm?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('submits the apply as an array job and follows its tasks to a ready volume', async () => {
    const page = session.page;
    await importAndOpen(page, CUBE, 120_000);
    await page.getByRole('button', { name: 'Apply to volume…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Apply to volume' });
    await dialog.getByTestId('apply-choice').selectOption('method:fx');
    await dialog.getByTestId('apply-on-cluster').click();
    await session.screenshot('cluster-apply-dialog');
    await dialog.getByRole('button', { name: 'Submit to the cluster', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('cluster-jobs').locator('li').first();
    await waitFor(
      'the final job to be done',
      () => row.getAttribute('data-final-state'),
      (state) => state === 'done',
      180_000,
      500,
    );
    await expect(row.textContent()).resolves.toMatch(/12 of 12 inlines.*tasks: \d+ done/);
    await session.screenshot('cluster-jobs-panel');
    const volumeId = (await row.getAttribute('data-volume-id'))!;
    const state = await page.evaluate<string>(
      `window.promethium.volumes.get(${JSON.stringify(volumeId)}).then((volume) => volume.state)`,
    );
    expect(state).toBe('ready');
  }, 240_000);
});
