/**
 * Entry point run on a GPU machine (test/bench/gpu-train.sh): trains the bundled models with the project's trainer on
 * the webgpu backend and writes each as a .pmodel archive into the output folder.
 * Usage: node gpu-train.cjs DAWN_NODE OUT_DIR SECONDS_PER_MODEL [model ids...]
 * With PROMETHIUM_CONTINUE=DIR, a model whose archive DIR/<id>.pmodel exists continues from it (a device call lasts
 * at most ten minutes, so longer trainings run as several calls).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { activateWebgpuFromDawn } from '../dawnWebgpu';
import { withFloat16Kernels } from '../registry/compactWeights';
import { MODEL_FILES } from '../registry/modelFiles';
import { readTar, writeTar } from '../registry/tarArchive';
import { BUNDLED_MODELS, type BundledModelSpec, trainBundledModel } from './bundledModels';

async function main(): Promise<void> {
  const [dawnPath, outDir, seconds, ...ids] = process.argv.slice(2);
  if (!dawnPath || !outDir || !seconds) throw new Error('usage: gpu-train.cjs DAWN_NODE OUT_DIR SECONDS [ids...]');
  const adapter = await activateWebgpuFromDawn(dawnPath);
  const specs = BUNDLED_MODELS.filter((spec) => ids.length === 0 || ids.includes(spec.id));
  for (const spec of specs) {
    const started = performance.now();
    const earlier = (await earlierVersion(spec.id, outDir)) ?? startingModel(spec);
    const result = await trainBundledModel(spec, outDir, {
      ...earlier,
      // A continuation is a fine-tuning of a trained model: half the rate from random weights.
      learningRate: earlier.initialModelDir ? 1e-3 : 2e-3,
      epochs: 400,
      batchesPerEpoch: 50,
      batchSize: 32,
      timeBudgetSeconds: Number(seconds),
      hardware: `${adapter}, tfjs webgpu (Dawn)`,
      command:
        `npm run bench -- ml-gpu-prep && ${earlier.initialModelDir ? 'PROMETHIUM_CONTINUE=<the earlier archives> ' : ''}` +
        `bash test/bench/gpu-train.sh ${seconds} ${spec.id}`,
    });
    if (earlier.unpacked) await rm(earlier.unpacked, { recursive: true, force: true });
    const dir = path.join(outDir, spec.id);
    const files = new Map<string, Uint8Array>();
    for (const name of Object.values(MODEL_FILES))
      files.set(name, new Uint8Array(await readFile(path.join(dir, name))));
    await writeFile(path.join(outDir, `${spec.id}.pmodel`), writeTar(withFloat16Kernels(files)));
    await rm(dir, { recursive: true, force: true });
    const last = result.history.at(-1);
    console.log(
      JSON.stringify({
        id: spec.id,
        seconds: Math.round((performance.now() - started) / 1000),
        epochs: result.history.length,
        stoppedBecause: result.stoppedBecause,
        bestValSnrDb: Math.max(...result.history.map((e) => e.valSnrDb)),
        lastTrainLoss: last?.trainLoss,
      }),
    );
  }
}

interface StartingPoint {
  initialModelDir?: string;
  /** A folder unpacked for this run, removed after it. */
  unpacked?: string;
  history?: string;
}

/** The earlier version to continue from (PROMETHIUM_CONTINUE), unpacked next to the output, and its story for the card. */
async function earlierVersion(id: string, outDir: string): Promise<StartingPoint | undefined> {
  const archive = process.env.PROMETHIUM_CONTINUE ? path.join(process.env.PROMETHIUM_CONTINUE, `${id}.pmodel`) : '';
  if (!archive || !existsSync(archive)) return undefined;
  const dir = path.join(outDir, `${id}.earlier`);
  await mkdir(dir, { recursive: true });
  const files = readTar(new Uint8Array(await readFile(archive)));
  for (const [name, bytes] of files) await writeFile(path.join(dir, name), bytes);
  const card = JSON.parse(new TextDecoder().decode(files.get(MODEL_FILES.card))) as {
    training: { durationSeconds: number; epochs: number; command: string; hardware: string };
  };
  const { durationSeconds, epochs, command, hardware } = card.training;
  return {
    initialModelDir: dir,
    unpacked: dir,
    history: `Continues an earlier run of ${durationSeconds} s (${epochs} epochs, ${hardware}; ${command}).`,
  };
}

/** A first run of a model that starts from another bundled model's weights (run from the repository root). */
function startingModel(spec: BundledModelSpec): StartingPoint {
  if (spec.startsFrom === undefined) return {};
  return {
    initialModelDir: path.join('resources', 'models', spec.startsFrom),
    history: `Starts from the weights of the bundled ${spec.startsFrom} (its card tells how that was trained).`,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
