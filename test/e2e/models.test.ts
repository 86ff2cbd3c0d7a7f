/**
 * The model manager end to end, in Chromium against the browser mode: the three bundled models with their card metrics,
 * no deleting a bundled one (button disabled, API refuses), rename/export of a model, and a short training on F3 from
 * the "Train model" dialog with its live curves, until the new model is listed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../preload/contract';
import { hasTestdata, TESTDATA_DIR } from '../testdata';
import { importAndOpen } from './flows';
import { hasChromium, openBrowser, startServer, waitFor, type BrowserSession, type RunningServer } from './harness';

type PageGlobals = { promethium: Api };
const BUNDLED = ['unet_denoise_v1', 'unet_interp_v1', 'autoencoder_v1', 'unet_denoise_v2'];
const TRAINING_MS = 300_000;

describe.skipIf(!hasChromium || !hasTestdata)('the model manager', () => {
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
  const view = () => page().getByTestId('models-view');
  const row = (id: string) => view().locator(`tr[data-model-id="${id}"]`);

  it('lists the three bundled models with the metrics of their cards', async () => {
    await page().locator('nav').getByRole('button', { name: 'Models', exact: true }).click();
    await view().waitFor();
    for (const id of BUNDLED) {
      await row(id).waitFor();
      await expect(row(id).getAttribute('data-bundled')).resolves.toBe('true');
      await row(id).locator('button.name').click();
      await waitFor(
        `the card of ${id}`,
        () =>
          view()
            .getByTestId('card-metrics')
            .innerText()
            .catch(() => ''),
        (text) => /\d/.test(text),
      );
      const metrics = await view().getByTestId('card-metrics').innerText();
      console.log(`[models] ${id}: ${metrics.replace(/\s+/g, ' ')}`);
      await expect(row(id).locator('td.metrics').innerText()).resolves.toMatch(/\d/);
    }
    await session.screenshot('40-models');
  });

  it('refuses deleting a bundled model', async () => {
    await row('unet_denoise_v1').locator('button.name').click();
    const remove = view().getByTestId('delete-model');
    await waitFor(
      'the detail of unet_denoise_v1',
      () => view().getByTestId('model-detail').getAttribute('data-model-id'),
      (id) => id === 'unet_denoise_v1',
    );
    await expect(remove.isDisabled()).resolves.toBe(true);
    await expect(remove.getAttribute('title')).resolves.toMatch(/read-only/);
    const refused = await page().evaluate(async () => {
      try {
        await (globalThis as unknown as PageGlobals).promethium.models.remove('unet_denoise_v1');
        return null;
      } catch (error) {
        return String((error as { code?: string }).code ?? error);
      }
    });
    console.log(`[models] models.remove(bundled) rejected with ${refused}`);
    expect(refused).not.toBeNull();
    await expect(row('unet_denoise_v1').count()).resolves.toBe(1);
  });

  it(
    'trains a small model on F3 with live curves; the new model is listed when done',
    async () => {
      await importAndOpen(page(), 'f3.sgy');
      await page().locator('nav').getByRole('button', { name: 'Models', exact: true }).click();
      await view().getByRole('button', { name: 'Train model…' }).click();
      const dialog = page().getByRole('dialog', { name: 'Train model' });
      await dialog.waitFor();
      await dialog.getByLabel('Name').fill('f3 e2e denoiser');
      await dialog.getByRole('checkbox', { name: 'f3' }).check();
      await waitFor(
        'the configs',
        () => dialog.locator('select').first().locator('option').count(),
        (n) => n > 0,
      );
      await dialog.getByLabel('Epochs').fill('2');
      await session.screenshot('41-train-dialog');
      await dialog.getByRole('button', { name: 'Start training' }).click();
      const live = dialog.getByTestId('training-live');
      await live.waitFor();
      const state = await waitFor(
        'the training to finish',
        () => live.getAttribute('data-state'),
        (s) => s === 'done' || s === 'failed' || s === 'cancelled' || s === 'interrupted',
        TRAINING_MS,
        500,
      );
      await session.screenshot('42-training-done');
      expect(state).toBe('done');
      await expect(dialog.getByTestId('live-curves').count()).resolves.toBe(1);
      await dialog.getByRole('button', { name: 'Close' }).last().click();
      const trained = view().locator('tr[data-bundled="false"]', { hasText: 'f3 e2e denoiser' });
      await waitFor(
        'the new model in the list',
        () => trained.count(),
        (n) => n === 1,
        15_000,
      );
      await trained.locator('button.name').click();
      await waitFor(
        'its curves',
        () => view().getByTestId('training-curves').count(),
        (n) => n === 1,
      );
      await expect(view().getByTestId('delete-model').isDisabled()).resolves.toBe(false);
      await session.screenshot('43-trained-model');
    },
    TRAINING_MS + 60_000,
  );

  it('had no page errors and no console errors', () => {
    expect(session.errors).toEqual([]);
  });
});
