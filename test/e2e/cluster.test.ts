/**
 * Apply to volume and training on the Slurm cluster from the app, in Chromium against the browser mode, with a real
 * single-host Slurm started by the test (test/support/slurmCluster.ts): the dialogs' "Run on: Slurm cluster", the
 * jobs panel following the array's tasks until the final job is done, the volume listed ready and the models listed.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAndOpen, synthSegy } from './flows';
import { hasChromium, openBrowser, startServer, waitFor, type BrowserSession, type RunningServer } from './harness';
import { slurmUnavailable, startTestSlurm, type TestSlurm } from '../support/slurmCluster';

// 128 crosslines: one 128 x 128 patch across, the Train dialog's patch size.
const CUBE = 'cluster_cube_12x128x200.sgy';
const unavailable = slurmUnavailable();

describe.skipIf(!hasChromium || unavailable !== null)('apply and training on the Slurm cluster, from the app', () => {
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
      '128',
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

  it('trains an ensemble from the Train dialog and follows each model to its registration', async () => {
    const page = session.page;
    await page.locator('nav').getByRole('button', { name: 'Models', exact: true }).click();
    await page.getByRole('button', { name: 'Train model…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Train model' });
    await dialog.getByLabel('Name').fill('cluster ensemble');
    await dialog.getByRole('checkbox', { name: CUBE.replace('.sgy', '') }).check();
    await dialog.getByLabel('Epochs').fill('1');
    await dialog.getByTestId('train-on-cluster').click();
    await dialog.getByTestId('train-ensemble').fill('2');
    await session.screenshot('cluster-train-dialog');
    await dialog.getByRole('button', { name: 'Submit to the cluster', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const training = page.getByTestId('cluster-trainings').locator('li.training').first();
    await waitFor(
      'the models to be registered',
      () => training.getAttribute('data-final-state'),
      (state) => state === 'done',
      300_000,
      500,
    );
    await session.screenshot('cluster-trainings-panel');
    await expect(training.textContent()).resolves.toMatch(
      /cluster ensemble.*ensemble of 2; 2 models registered.*member 1 of 2.*trained, 1 epoch.*member 2 of 2/,
    );
    const names = await page.evaluate<string[]>(
      'window.promethium.models.list().then((models) => models.map((model) => model.name))',
    );
    expect(names).toEqual(
      expect.arrayContaining(['cluster ensemble, member 1 of 2', 'cluster ensemble, member 2 of 2']),
    );
  }, 360_000);
});
