/**
 * Benchmarks (`npm run bench -- <suite>`): each suite measures Promethium next to its peer in the same run and writes
 * its section of BENCHMARKS.md. Suites: segy, quality, ml, viewer, apply, multigpu, multigpu-train, cluster (apply,
 * import and training; `cluster apply|import|training`: that one only), mseed, passive-denoise, wave.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { benchInterpolationQuality, benchQuality } from './quality';
import { formatMlMeasurement, measureMlPerformance } from '../../main/ml/training/measure';
import { benchMlGpu } from './mlGpu';
import { benchMseed } from './mseed';
import { benchPassiveDenoise } from './passiveDenoise';
import { benchPinn } from './pinn';
import { benchSpectrogramEpoch } from './spectrogramEpoch';
import { benchCube, importWorker, segyReport } from './segy';
import { benchWave, benchWaveGpu } from './wave';

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`;
}

/**
 * Replaces (or appends) the section `## title` of BENCHMARKS.md, its header naming the command as it was run (with its
 * arguments, so that the figures can be reproduced).
 */
function writeSection(title: string, body: string): void {
  const file = 'BENCHMARKS.md';
  const current = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nMedians; ratios are peer time / our time.\n';
  const heading = `## ${title}`;
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
  const section = `${heading}\n\n_${new Date().toISOString().slice(0, 10)}, ${machine()}; \`${command}\`_\n\n${body.trimEnd()}\n`;
  const start = current.indexOf(heading);
  if (start < 0) return writeFileSync(file, `${current.trimEnd()}\n\n${section}`);
  const next = current.indexOf('\n## ', start + heading.length);
  writeFileSync(file, current.slice(0, start) + section + (next < 0 ? '' : `\n${current.slice(next + 1)}`));
}

async function main(): Promise<void> {
  const [suite, ...args] = process.argv.slice(2);
  switch (suite) {
    case 'segy': {
      const large = !args.includes('--no-large');
      const results = [await benchCube('0.5 GB', [300, 300, 1500], true)];
      if (large) results.push(await benchCube('5 GB', [1000, 1000, 1250], false));
      const report = segyReport(results);
      console.log(report);
      writeSection('SEG-Y engine', report);
      break;
    }
    case 'mseed': {
      const report = await benchMseed();
      console.log(report);
      writeSection('miniSEED reader', report);
      break;
    }
    case 'passive-denoise': {
      const report = await benchPassiveDenoise();
      console.log(report);
      writeSection('Spectrogram denoising of miniSEED recordings', report);
      break;
    }
    case 'quality': {
      if (args.includes('--interpolation')) {
        const report = await benchInterpolationQuality();
        console.log(report);
        writeSection('Interpolation quality, test-time adaptation', report);
        break;
      }
      const report = await benchQuality();
      console.log(report);
      writeSection('Reconstruction quality', report);
      break;
    }
    case 'pinn': {
      const report = await benchPinn();
      console.log(report);
      writeSection('PINN against its backbone', report);
      break;
    }
    case 'ml': {
      const note =
        'The tfjs wasm path runs one wasm backend per worker thread; ONNX Runtime runs one native session with that many' +
        ' intra-op threads (main/ml/parallelInference.ts; PROMETHIUM_INFERENCE_THREADS sets both, default the CPU count;' +
        ' the app uses ONNX Runtime where it loads, PROMETHIUM_INFERENCE_ENGINE=tfjs|onnx forces one). Engines alternate' +
        ' run by run; medians of 3 after one warm-up each.';
      // `npm run bench -- ml MODEL_DIR_OR_CONFIG` measures another model and only prints (BENCHMARKS.md keeps the default).
      if (args[0]) {
        console.log(formatMlMeasurement(await measureMlPerformance({ configPath: args[0] })));
        break;
      }
      const report = `${formatMlMeasurement(await measureMlPerformance())}\n\n${note}`;
      console.log(report);
      writeSection('ML engine on the CPU', report);
      break;
    }
    case 'viewer': {
      // Imported here: playwright-core is not on the GPU machine that runs the other benchmarks from one bundle.
      const { benchViewer } = await import('./viewer');
      const report = await benchViewer();
      console.log(report);
      writeSection('Viewer', report);
      break;
    }
    case 'wave': {
      const report = benchWave(Number(args[0] ?? 2));
      console.log(report);
      writeSection('Wave-equation modelling and the velocity baseline', report);
      break;
    }
    case 'wave-gpu':
      await benchWaveGpu(args[0] ?? '/tmp/dawn.node');
      break;
    case 'apply': {
      // Imported here, like the viewer's: it opens a project database (on the GPU machine through PROMETHIUM_SQLITE_BINDING).
      const { benchApply, parseApplyBenchArgs } = await import('./apply');
      const { report, backend } = await benchApply(parseApplyBenchArgs(args));
      console.log(report);
      writeSection(`Apply to volume (${backend} backend)`, report);
      break;
    }
    case 'multigpu': {
      const { benchMultiGpu } = await import('./multiGpu');
      const report = await benchMultiGpu(Number(args[0] ?? 16));
      console.log(report);
      writeSection('Apply to volume over several GPUs', report);
      break;
    }
    case 'multigpu-train': {
      const { benchMultiGpuTraining } = await import('./multiGpuTraining');
      const report = await benchMultiGpuTraining(args[0] ?? 'unet-small');
      console.log(report);
      writeSection('Training over several GPUs', report);
      break;
    }
    case 'cluster': {
      // `cluster apply`, `cluster import` or `cluster training` runs that one only.
      const runs = (part: string): boolean => args[0] === undefined || args[0] === part;
      if (runs('apply')) {
        const { benchCluster } = await import('./cluster');
        const report = await benchCluster();
        console.log(report);
        writeSection('Apply to volume on a Slurm cluster', report);
      }
      if (runs('import')) {
        const { benchClusterImport } = await import('./clusterImport');
        const report = await benchClusterImport();
        console.log(report);
        writeSection('Import on a Slurm cluster', report);
      }
      if (runs('training')) {
        const { benchClusterTraining } = await import('./clusterTrain');
        const report = await benchClusterTraining();
        console.log(report);
        writeSection('Training on a Slurm cluster', report);
      }
      break;
    }
    case 'spectrogram-epoch': {
      // spectrogram-epoch DAWN_NODE|BACKEND [--hours H]: a day (24 h) unless --hours says otherwise.
      const hours = args.indexOf('--hours');
      await benchSpectrogramEpoch(args[0] ?? '/tmp/dawn.node', hours >= 0 ? Number(args[hours + 1]) : 24);
      break;
    }
    case 'ml-gpu':
      await benchMlGpu(args[0] ?? '/tmp/dawn.node');
      break;
    case 'import-worker':
      await importWorker(args[0]!, args[1]!);
      break;
    default:
      console.error(
        'usage: npm run bench -- segy [--no-large] | ml | quality [--interpolation] | pinn | viewer | apply [INLINES] [--cube IxXxS] [--line TxS] [--clicks N] [--runs N] [--compute A.cjs,B.cjs] | cluster [apply|import|training] | multigpu | multigpu-train | mseed | passive-denoise | wave [samples per family]   (GPU: ml-gpu-prep, then test/bench/gpu.sh, gpu-apply.sh or gpu-spectrogram-epoch.sh)',
      );
      process.exitCode = 2;
  }
}

void main();
