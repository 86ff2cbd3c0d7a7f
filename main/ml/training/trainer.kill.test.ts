/**
 * Resume after a real kill: a child process (this module's trainer, bundled with esbuild because plain node runs no
 * TypeScript) trains until it has checkpointed two epochs and is then killed with SIGKILL, possibly in the middle of
 * writing the next checkpoint. Training resumed here must continue from the last complete epoch.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../backends';
import type { TrainingState } from './checkpoint';
import { train } from './trainer';
import type { TrainOptions } from './trainOptions';
import { killTestOptions, killTestSources } from './trainer.kill.fixture';

let root = '';

beforeAll(async () => {
  await chooseBackend('wasm');
  root = await mkdtemp(path.join(tmpdir(), 'promethium-kill-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Bundles a script that trains with the fixture's options until killed. */
async function bundleTrainingChild(): Promise<string> {
  const entry = path.join(root, 'child.ts');
  const fixture = path.join(__dirname, 'trainer.kill.fixture.ts');
  await writeFile(
    entry,
    [
      `import { chooseBackend } from ${JSON.stringify(path.join(__dirname, '..', 'backends.ts'))};`,
      `import { train } from ${JSON.stringify(path.join(__dirname, 'trainer.ts'))};`,
      `import { killTestOptions, killTestSources } from ${JSON.stringify(fixture)};`,
      `void chooseBackend('wasm').then(() => train(killTestSources(), killTestOptions(process.argv[2]!, 1000)));`,
    ].join('\n'),
  );
  const outfile = path.join(root, 'child.cjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    external: ['@tensorflow/*', 'webgpu', 'electron'],
  });
  return outfile;
}

async function completedEpochs(checkpointDir: string): Promise<number> {
  try {
    const state = JSON.parse(await readFile(path.join(checkpointDir, 'last', 'state.json'), 'utf8')) as TrainingState;
    return state.epoch;
  } catch {
    return 0;
  }
}

/** Runs the child until its checkpoint holds `epochs` epochs, then kills it with SIGKILL. */
async function trainAndKill(script: string, checkpointDir: string, epochs: number): Promise<void> {
  const child = spawn(process.execPath, [script, checkpointDir], {
    // The bundle lives in a temporary folder: the project's node_modules must be found through NODE_PATH.
    env: { ...process.env, NODE_PATH: path.resolve('node_modules') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_, signal) => resolve(signal)));
  const deadline = Date.now() + 40_000;
  while ((await completedEpochs(checkpointDir)) < epochs) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the training child stopped: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

describe('resume after kill -9', () => {
  it('continues from the last complete epoch with its optimizer iterations and history', async () => {
    const checkpointDir = path.join(root, 'run');
    await trainAndKill(await bundleTrainingChild(), checkpointDir, 2);
    const killedAt = await completedEpochs(checkpointDir);
    expect(killedAt).toBeGreaterThanOrEqual(2);

    const options: TrainOptions = { ...killTestOptions(checkpointDir, killedAt + 2), resume: true };
    const resumedEpochs: number[] = [];
    const result = await train(killTestSources(), options, { onEpoch: ({ epoch }) => resumedEpochs.push(epoch) });
    expect(resumedEpochs).toEqual([killedAt + 1, killedAt + 2]);
    expect(result.history.map((m) => m.epoch)).toEqual(Array.from({ length: killedAt + 2 }, (_, i) => i + 1));
    const state = JSON.parse(await readFile(path.join(checkpointDir, 'last', 'state.json'), 'utf8')) as TrainingState;
    expect(state.optimizerIterations).toBe((killedAt + 2) * 2);
  }, 60_000);
});
