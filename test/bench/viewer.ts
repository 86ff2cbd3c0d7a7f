/**
 * `npm run bench -- viewer`: line changes on a cached 0.5 GB survey in the browser mode (Debian Chromium, the built
 * app): the API round trip of an inline not prefetched (random jumps), and the viewer's keypress -> new frame time
 * when stepping to the next line (the way an interpreter browses). Target: the next section shown within 100 ms.
 *
 * "New frame": the viewer has drawn the new line (its data-label changes when it draws) AND the browser has then
 * produced a frame: an animation frame plus a task after it, because Chromium's rendering update (where the software
 * compositor reads the WebGL canvas back) runs right after the animation-frame callbacks.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBrowser, startServer, waitFor } from '../e2e/harness';
import { median } from './stats';

const CUBE = { inlines: 300, crosslines: 300, samples: 1500 };

export async function benchViewer(): Promise<string> {
  const loadAtStart = os.loadavg()[0]!;
  const data = mkdtempSync(path.join(process.env.PROMETHIUM_BENCH_DIR ?? os.tmpdir(), 'promethium-viewer-'));
  const file = path.join(data, 'cube.sgy');
  execFileSync(process.execPath, [
    'bin/promethium.cjs',
    'synth',
    '--out',
    file,
    '--kind',
    'cube',
    '--seed',
    '5',
    '--inlines',
    String(CUBE.inlines),
    '--crosslines',
    String(CUBE.crosslines),
    '--samples',
    String(CUBE.samples),
  ]);
  const server = await startServer({ env: { PROMETHIUM_DATA_DIRS: data } });
  const session = await openBrowser(server.url);
  try {
    const { page } = session;
    // String scripts: the bench is bundled, and bundlers may rewrite function bodies that page.evaluate serialises.
    const surveyId = (await page.evaluate(`(async () => {
      const api = window.promethium;
      const { survey, job } = await api.survey.import({ path: ${JSON.stringify(file)} });
      await new Promise((resolve) => {
        const stop = api.on('jobs.changed', (j) => {
          if (j.id === job.id && j.state !== 'running' && j.state !== 'queued') { stop(); resolve(); }
        });
      });
      return survey.id;
    })()`)) as string;
    const apiMs = (await page.evaluate(
      `(async () => {
      const times = [];
      for (let k = 0; k < 30; k++) {
        const started = performance.now();
        const section = await window.promethium.section.get({ surveyId: ${JSON.stringify('SURVEY')}, axis: 'inline', index: (k * 97) % 300 });
        if (section.data.length !== 300 * 1500) throw new Error('wrong section size');
        times.push(performance.now() - started);
      }
      return times;
    })()`.replace('"SURVEY"', JSON.stringify(surveyId)),
    )) as number[];
    await page.locator('[data-testid="survey-list"] button').first().click();
    const viewer = page.getByTestId('section-viewer');
    await waitFor(
      'the viewer',
      () => viewer.getAttribute('data-label'),
      (label) => Boolean(label),
      60_000,
    );
    await viewer.focus();
    const stepMs: number[] = [];
    for (let k = 0; k < 20; k++) {
      stepMs.push(
        await page.evaluate<number>(`new Promise((resolve) => {
          const el = document.querySelector('[data-testid="section-viewer"]');
          const before = el.dataset.label;
          const started = performance.now();
          const observer = new MutationObserver(() => {
            if (el.dataset.label === before) return;
            observer.disconnect();
            requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - started), 0));
          });
          observer.observe(el, { attributes: true, attributeFilter: ['data-label'] });
          el.dispatchEvent(new KeyboardEvent('keydown', { key: 'PageDown', bubbles: true }));
        })`),
      );
    }
    await session.screenshot('bench-viewer-500mb');
    return [
      `Survey ${CUBE.inlines} x ${CUBE.crosslines} x ${CUBE.samples} (540 MB float32; written by \`promethium synth\`, imported), Debian Chromium headless (SwiftShader WebGL), loopback WebSocket; machine load average ${loadAtStart.toFixed(1)} at the start (2 shared cores).`,
      'A step ends when the viewer has drawn the new line and the browser has then produced a frame (animation frame + task: the software compositor reads the WebGL canvas back in that update); 20 steps with PageDown.',
      '',
      '| measurement | median | max | target |',
      '| --- | ---: | ---: | --- |',
      `| \`section.get\` of an inline not prefetched (API round trip, 1.8 MB binary frame) | ${median(apiMs).toFixed(1)} ms | ${Math.max(...apiMs).toFixed(1)} ms | |`,
      `| next inline by key, keypress to the new frame drawn | ${median(stepMs).toFixed(1)} ms | ${Math.max(...stepMs).toFixed(1)} ms | <= 100 ms |`,
      '', // a blank line before the next section
    ].join('\n');
  } finally {
    await session.close();
    await server.stop();
    rmSync(data, { recursive: true, force: true });
  }
}
