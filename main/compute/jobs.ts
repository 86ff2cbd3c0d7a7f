import path from 'node:path';
import { channelName } from '../passive/mseed';
import type { AmplitudeStats, JobRequest } from '../../preload/contract';
import { AmplitudeStatsAccumulator } from '../processing/amplitudeStats';
import { importSurvey } from '../survey/importSurvey';
import { importRecordingSet } from '../passive/recordingSet';
import { detectAnomaliesInSet } from '../passive/anomaly/recordingSetDetection';
import { reconstructRecordingWindow } from '../passive/denoise/recordingSetReconstruction';
import { describeRun } from '../survey/runLabel';
import { buildVelocityModel } from '../velocity/velocityBuild';
import { applyVolume, finishAppliedVolume } from './applyVolume';
import { exportVolume } from './exportVolume';
import { reconstructSurveySection } from './reconstructSection';
import { trainModel } from './trainModel';
import { LayeredVolume } from '../synth/layeredVolume';
import { checkpoint } from '../ml/cancellation';
import { chosenBackend } from '../ml/backends';
import { gpuWorkerDevices } from './workers/gpuWorkers';
import { spreadApply } from './workers/spreadApply';
import { spreadTraining } from './workers/spreadTraining';
import { workerScript } from './workers/workerProcess';
import type { JobContext } from './protocol';

type RequestOf<K extends JobRequest['kind']> = Extract<JobRequest, { kind: K }>;

/** Amplitude statistics of a synthetic volume, streamed inline by inline: the compute path's end-to-end self-test. */
async function syntheticStats(request: RequestOf<'synthetic-stats'>, context: JobContext): Promise<AmplitudeStats> {
  const volume = new LayeredVolume({ ...request, noise: 0.1 });
  const stats = new AmplitudeStatsAccumulator();
  for (let il = 0; il < request.inlines; il++) {
    stats.add(volume.inline(il));
    context.progress((il + 1) / request.inlines, `inline ${il + 1} of ${request.inlines}`);
    await checkpoint(context.signal);
  }
  return stats.result();
}

/** The job table: each request kind and the function that runs it in the compute process. */
export async function runJob(request: JobRequest, context: JobContext): Promise<unknown> {
  switch (request.kind) {
    case 'synthetic-stats':
      return syntheticStats(request, context);
    case 'import-survey':
      return importSurvey(request, context);
    case 'import-recordings':
      return importRecordingSet(request, context);
    case 'detect-anomalies':
      return detectAnomaliesInSet(request, context);
    case 'reconstruct-recording':
      return reconstructRecordingWindow(request);
    case 'train-model': {
      // One GPU (or none) trains here; several train data-parallel, a worker process each.
      const devices = gpuWorkerDevices(chosenBackend());
      if (devices.length < 2) return trainModel(request, context);
      return spreadTraining(request, context, { devices, workerScript: workerScript(__dirname, 'trainWorker') });
    }
    case 'reconstruct-section':
      return reconstructSurveySection(request, context);
    case 'apply-volume': {
      // One GPU (or none) applies here; several each get a worker process.
      const devices = gpuWorkerDevices(chosenBackend());
      if (devices.length < 2) return applyVolume(request, context);
      return spreadApply(request, context, { devices, workerScript: workerScript(__dirname, 'applyWorker') });
    }
    case 'apply-volume-slice':
      return applyVolume(request.apply, context, { slice: request.slice, finish: false, shared: true });
    case 'finish-volume':
      return { tracesFilled: await finishAppliedVolume(request.apply, context) };
    case 'export-volume':
      return exportVolume(request, context);
    case 'velocity-build':
      return buildVelocityModel(request, context);
  }
}

export function jobTitle(request: JobRequest): string {
  switch (request.kind) {
    case 'synthetic-stats':
      return `Amplitude statistics of a synthetic ${request.inlines} x ${request.crosslines} x ${request.samples} volume`;
    case 'import-survey':
      return `Import ${path.basename(request.path)}`;
    case 'import-recordings':
      return `Import the recordings of ${path.basename(request.dir)}`;
    case 'detect-anomalies':
      return `Find anomalies in ${request.setName} (${request.sourceIds.map(channelName).join(', ')})`;
    case 'reconstruct-recording':
      return `Reconstruct ${request.setName} (${request.sourceIds.map(channelName).join(', ')}) with its detector`;
    case 'reconstruct-section':
      return `${taskVerb(request.task)} ${request.label} of ${request.surveyName}`;
    case 'apply-volume':
      return `${taskVerb(request.task)} ${request.surveyName ?? 'the volume'} (${describeRun(request.model ? `model ${request.model.name}` : (request.method ?? 'default method'), request.model !== null, request)})`;
    case 'apply-volume-slice':
      return `${jobTitle(request.apply)}, inline indices ${request.slice[0]}-${request.slice[1]}`;
    case 'finish-volume':
      return `Finish ${jobTitle(request.apply)}`;
    case 'export-volume':
      return `Export ${request.uncertainty ? 'the uncertainty of ' : ''}a volume of ${path.basename(request.sourcePath)} to ${path.basename(request.path)}`;
    case 'velocity-build':
      return `Build a velocity model of ${request.surveyName} (${request.model.name})`;
    case 'train-model': {
      // The name ends the title: `promethium train --resume` finds the stopped job of a model by it.
      const verb = request.resume ? 'Resume training' : request.initialModelDir ? 'Fine-tune' : 'Train';
      const pairs = request.corruption && request.corruption !== 'synthetic' ? ` (${request.corruption})` : '';
      return `${verb}${pairs} on ${request.sources.map(trainingSourceName).join(', ')}: ${request.name}`;
    }
  }
}

function taskVerb(task: 'denoise' | 'interpolate'): string {
  return task === 'denoise' ? 'Denoise' : 'Fill missing traces of';
}

/** A training survey by its SEG-Y file's name (older requests of cube surveys only kept the cache folder). */
function trainingSourceName(source: { cacheDir: string; sourcePath?: string }): string {
  return path.basename(source.sourcePath ?? source.cacheDir);
}
