/**
 * The view thread: the real worker bundled from the sources (as scripts/build.mjs bundles it), its arrays moved
 * between the threads, and a thread that dies failing its requests instead of leaving them waiting.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reduceLodCube, type LodCube } from '../../survey/lodCube';
import { ViewThread } from './viewThread';

const folder = mkdtempSync(path.join(os.tmpdir(), 'promethium-view-thread-'));
const script = path.join(folder, 'viewWorker.cjs');
let thread: ViewThread;

beforeAll(async () => {
  await build({
    entryPoints: [path.join(__dirname, 'viewWorker.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  thread = new ViewThread(script);
});

afterAll(async () => {
  await thread.close();
  rmSync(folder, { recursive: true, force: true });
});

/** A LOD volume of 2.5 M values, over the cube's 128^3: reduced by a stride of 2. */
function lodVolume(): LodCube {
  const shape: LodCube['shape'] = [160, 130, 120];
  return { data: Float32Array.from({ length: 160 * 130 * 120 }, (_, i) => Math.sin(i)), shape, factor: 2 };
}

describe('the view thread', () => {
  it('computes what this thread computes, the request array moved to it rather than copied', async () => {
    const lod = lodVolume();
    const cube = await thread.read('lodCube', lod);
    expect(cube.shape).toEqual([80, 65, 60]);
    expect(cube).toEqual(reduceLodCube(lodVolume()));
    expect(lod.data.byteLength).toBe(0); // transferred: detached here
  });

  it("answers a request it cannot compute with the API's error, naming the call", async () => {
    const broken = { data: new Float32Array(10), shape: [4, 4, 4], factor: 1 } satisfies LodCube;
    await expect(thread.read('lodCube', broken)).rejects.toMatchObject({
      code: 'internal',
      message: 'survey.lodCube failed: The LOD volume holds 10 values, not the 64 of its shape',
    });
  });

  it('fails the requests of a thread that dies, and starts a fresh one for the next', async () => {
    const crashing = path.join(folder, 'crashingWorker.cjs');
    writeFileSync(crashing, "require('node:worker_threads').parentPort.on('message', () => process.exit(3));\n");
    const dying = new ViewThread(crashing);
    const stopped = 'the thread that computes the views stopped (exit code 3); try again';
    await expect(dying.read('lodCube', lodVolume())).rejects.toThrow(stopped);
    await expect(dying.read('lodCube', lodVolume())).rejects.toThrow(stopped);
    await dying.close();
  });
});
