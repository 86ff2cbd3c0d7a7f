/**
 * `promethium velocity` on a GPU machine without node_modules (bundled by `npm run bench -- ml-gpu-prep` into
 * .gpu/velocity-gpu.cjs, run by test/bench/gpu-velocity.sh): the same commands, on tfjs's webgpu backend over the
 * dawn.node given first. Usage: node velocity-gpu.cjs DAWN_NODE velocity <synth|train|predict|baseline> [options]
 */
import { Command } from 'commander';
import { activateWebgpuFromDawn } from '../ml/dawnWebgpu';
import { registerVelocityCommands } from './velocityCommands';

async function main(): Promise<void> {
  const [dawnPath, ...args] = process.argv.slice(2);
  if (!dawnPath) throw new Error('usage: velocity-gpu.cjs DAWN_NODE velocity <synth|train|predict|baseline> ...');
  const adapter = await activateWebgpuFromDawn(dawnPath);
  console.log(`webgpu on ${adapter}`);
  const program = new Command('promethium');
  // The backend is already running: commands keep it whatever --backend says.
  registerVelocityCommands(program, async () => adapter);
  await program.parseAsync(args, { from: 'user' });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
