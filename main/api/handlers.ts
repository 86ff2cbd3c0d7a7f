import { existsSync } from 'node:fs';
import { PromethiumError } from '../../preload/contract';
import type { AppServices } from '../workflows/services';
import { inspectSegy } from '../workflows/surveyLibrary';
import { bundledConfigNames } from '../ml/configCatalog';
import { dataRoots, listDirectory } from '../project/dataRoots';
import type { ApiHandlers } from './dispatch';

declare const PROMETHIUM_VERSION: string | undefined;
export const APP_VERSION = typeof PROMETHIUM_VERSION === 'string' ? PROMETHIUM_VERSION : '0.0.0-dev';

/**
 * A training request of the API names its configs among the bundled ones, or gives a file as `configFile` (which the
 * path fence admits like any path argument). The services read `config` as a file's path too (the CLI's --config):
 * unchecked here, the API would read any file for any caller. Returns the request.
 */
function bundledConfigsOnly<T extends { config?: string; sweep?: { config?: string }[] }>(request: T): T {
  const bundled = bundledConfigNames();
  for (const config of [request.config, ...(request.sweep ?? []).map((entry) => entry.config)]) {
    if (config !== undefined && !bundled.includes(config)) {
      throw new PromethiumError(
        'invalid-argument',
        `no bundled model config '${config}' (bundled: ${bundled.join(', ')}); a file of one's own goes in configFile`,
      );
    }
  }
  return request;
}

/** The handler table: implements every method of preload/contract.ts by calling the services. */
export function createApiHandlers(services: AppServices): ApiHandlers {
  return {
    project: {
      current: () => services.project.info(),
      open: (dir) => services.switchProject(dir, false),
      create: (dir) => services.switchProject(dir, true),
      recent: () => services.app.recentProjects(),
    },
    files: {
      list: (dir) => listDirectory(dataRoots(), dir),
    },
    survey: {
      inspect: (filePath, headerMap) => inspectSegy(filePath, headerMap),
      import: (request) => services.surveys.startImport(request),
      list: () => services.surveys.list(),
      get: (id) => services.surveys.get(id),
      liveMask: (id) => services.surveys.liveMask(id),
      lod: (id) => services.surveys.lod(id),
      lodCube: async (id) => services.views.read('lodCube', await services.surveys.lod(id)),
      remove: (id) => services.surveys.remove(id),
      setVerticalAxis: ({ surveyId, domain, unit }) => services.surveys.setVerticalAxis(surveyId, { domain, unit }),
      display: (id) => services.surveys.display(id),
      setDisplay: (id, settings) => services.surveys.setDisplay(id, settings),
    },
    recordings: {
      import: (request) => services.recordings.startImport(request),
      list: () => services.recordings.list(),
      get: (id) => services.recordings.get(id),
      remove: (id) => services.recordings.remove(id),
      waveform: (request) => services.recordings.waveform(request),
      spectrogram: (request) => services.recordings.spectrogram(request),
      detect: (request) => services.recordings.detect(request),
      anomalies: (request) => services.recordings.anomalies(request),
      reconstruct: (request) => services.recordings.reconstruct(request),
      reconstruction: (request) => services.recordings.reconstruction(request),
    },
    section: {
      get: ({ surveyId, axis, index }) => services.surveys.section(surveyId, axis, index),
      arbitrary: ({ surveyId, points }) => services.surveys.arbitraryLine(surveyId, points),
      traceHeader: (request) => services.surveys.traceHeader(request),
    },
    reconstruct: {
      section: (request) => services.reconstruction.start(request),
      result: (jobId) => services.reconstruction.result(jobId),
    },
    volumes: {
      apply: (request) => services.volumes.apply(request),
      list: (surveyId) => services.volumes.list(surveyId),
      get: (id) => services.volumes.get(id),
      remove: (id) => services.volumes.remove(id),
      section: (request) => services.volumes.section(request),
      export: (request) => services.volumes.export(request),
    },
    gather: {
      get: ({ surveyId, index }) => services.surveys.gather(surveyId, index),
    },
    velocity: {
      build: (request) => services.velocity.build(request),
      result: (surveyId) => services.velocity.result(surveyId),
      export: (request) => services.velocity.export(request),
    },
    models: {
      list: () => services.models.list(),
      get: (id) => services.models.get(id),
      rename: (id, name) => services.models.rename(id, name),
      remove: (id) => services.models.remove(id),
      export: (id, out) => services.models.export(id, out),
      import: (file) => services.models.import(file),
      configs: () => bundledConfigNames(),
      train: (request) => services.training.start(bundledConfigsOnly(request)),
      adapt: (request) => services.training.adapt(request),
    },
    cluster: {
      settings: () => services.cluster.settings(),
      updateSettings: (change) => services.cluster.updateSettings(change),
      check: () => services.cluster.check(APP_VERSION),
      apply: (input, options) => services.cluster.apply(input, options),
      list: () => services.cluster.list(),
      resume: (volumeId) => services.cluster.resume(volumeId),
      cancel: (volumeId) => services.cluster.cancel(volumeId),
      importSurvey: (request) => services.clusterImports.importSurvey(request),
      imports: () => services.clusterImports.list(),
      resumeImport: (surveyId) => services.clusterImports.resume(surveyId),
      cancelImport: (surveyId) => services.clusterImports.cancel(surveyId),
      train: (input) => services.clusterTraining.submit(bundledConfigsOnly(input)),
      trainings: () => services.clusterTraining.list(),
      resumeTraining: (trainingId) => services.clusterTraining.resume(trainingId),
      cancelTraining: (trainingId) => services.clusterTraining.cancel(trainingId),
    },
    jobs: {
      list: () => services.jobs.list(),
      get: (id) => services.jobs.get(id),
      start: (request) => services.jobs.start(request),
      cancel: (id) => services.jobs.cancel(id),
      resume: (id) => services.jobs.resume(id),
    },
    system: {
      info: () => ({
        appVersion: APP_VERSION,
        host: services.host.kind,
        versions: { ...services.host.versions, node: process.versions.node, v8: process.versions.v8 },
        platform: `${process.platform} ${process.arch}`,
        paths: {
          userData: services.options.userDataDir,
          project: services.project.dir,
          logs: existsSync(services.logsDir) ? services.logsDir : null,
        },
        compute: services.compute.status,
      }),
      backend: () => services.compute.probeBackend(),
      showOpenDialog: (options) => services.host.showOpenDialog(options),
      damagedFiles: () => services.damagedFiles(),
      moveDamagedAside: (file) => services.moveDamagedAside(file),
    },
  };
}

/** For hosts without native dialogs (the browser mode). */
export async function noNativeDialogs(): Promise<never> {
  throw new PromethiumError(
    'unavailable',
    'native file dialogs exist only in the desktop app; in the browser mode choose a file from the server-side browser',
  );
}
