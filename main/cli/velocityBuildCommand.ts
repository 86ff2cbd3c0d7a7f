/**
 * `promethium velocity build --project DIR --survey ID [--model ID] [--source-delay-ms MS] [--out DIR]`: the app's "Build velocity model" on
 * the command line: the same job, stored in the project the same way (the app opens the result), and optionally the
 * maps written out as depth SEG-Y and .npy.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { MAX_SOURCE_DELAY_MS, type VelocityBuild } from '../../preload/contract';
import { ProgressBar } from './progressBar';
import { cliServices, waitForJob } from './segyCommands';
import { UsageError } from './usageError';
import { jobFailure } from './volumeCommands';

export interface VelocityBuildCli {
  project: string;
  survey: string;
  model?: string;
  sourceDelayMs: string;
  out?: string;
}

export async function runVelocityBuild(options: VelocityBuildCli): Promise<void> {
  const services = cliServices(options.project);
  try {
    const job = await services.velocity.build({
      surveyId: options.survey,
      ...(options.model === undefined ? {} : { modelId: options.model }),
      sourceDelayMs: sourceDelay(options.sourceDelayMs),
    });
    const finished = await waitForJob(services, job, new ProgressBar('building the velocity model'));
    if (finished.state !== 'done') throw jobFailure(finished, '');
    const build = await services.velocity.result(options.survey);
    if (build === null) throw new Error(`${job.title}: done, but no velocity model was stored`);
    console.log(describeBuild(build));
    if (options.out !== undefined) {
      await mkdir(options.out, { recursive: true });
      for (const map of ['velocity', 'spread', 'baseline'] as const) {
        for (const format of ['segy', 'npy'] as const) {
          const target = path.join(options.out, `${map}.${format === 'segy' ? 'sgy' : 'npy'}`);
          await services.velocity.export({ surveyId: options.survey, map, format, path: target });
        }
      }
      console.log(`wrote velocity, spread and baseline (.sgy in depth, .npy [1, 1, 70, 70]) to ${options.out}`);
    }
  } finally {
    services.close();
  }
}

function sourceDelay(text: string): number {
  const value = Number(text);
  if (!(value >= 0 && value <= MAX_SOURCE_DELAY_MS)) {
    throw new UsageError(`--source-delay-ms ${text}: give a number of milliseconds from 0 to ${MAX_SOURCE_DELAY_MS}`);
  }
  return value;
}

function range(map: Float32Array): string {
  let [low, high, sum] = [Infinity, -Infinity, 0];
  for (const value of map) [low, high, sum] = [Math.min(low, value), Math.max(high, value), sum + value];
  return `${low.toFixed(0)}-${high.toFixed(0)} m/s (mean ${(sum / map.length).toFixed(0)})`;
}

function describeBuild(build: VelocityBuild): string {
  const { seconds } = build;
  return [
    `velocity model of survey ${build.surveyId} by ${build.model.name} (${build.augmentedMaps} maps: members x augmentations)`,
    `  source delay: ${build.sourceDelayMs} ms (the shots placed that much later than the survey's time zero)`,
    `  grid: ${build.cells} x ${build.cells} cells at ${build.spacingM} m along the line at azimuth ${build.line.azimuthDeg.toFixed(1)} deg`,
    `  ensemble: ${range(build.velocity)}; spread ${range(build.spread)}`,
    `  semblance + Dix: ${range(build.baseline)}`,
    `  data residual: ${(100 * build.relativeResidual).toFixed(1)} % of the input's RMS (modelled shots scaled by ${build.modelledScale.toExponential(3)})`,
    ...build.notes.map((note) => `  note: ${note}`),
    `  ${seconds.total.toFixed(1)} s: reading ${seconds.read.toFixed(1)}, ensemble ${seconds.predict.toFixed(1)}, ` +
      `semblance + Dix ${seconds.baseline.toFixed(1)}, modelling ${seconds.modelling.toFixed(1)}`,
  ].join('\n');
}
