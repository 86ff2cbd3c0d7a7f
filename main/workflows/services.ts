/**
 * The services behind the API, assembled once per host (Electron or the browser mode). Nothing here imports Electron:
 * what differs between hosts (how the compute process starts, native dialogs, versions) comes in as `HostCapabilities`.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import {
  PromethiumError,
  type DamagedFile,
  type HostKind,
  type OpenDialogResult,
  type ProjectInfo,
} from '../../preload/contract';
import { ApiEventBus } from '../jobs/events';
import { ComputeHost, type ComputeLauncher } from '../jobs/computeHost';
import { JobRunner } from '../jobs/jobRunner';
import { AppStore } from '../project/appStore';
import { DamagedDatabaseError } from '../project/database';
import { DamagedDatabases } from '../project/damagedDatabases';
import { PROJECT_DB_FILE, Project } from '../project/project';
import { SurveyLibrary } from './surveyLibrary';
import { chooseModel, ReconstructionService } from './reconstructionService';
import { VolumeService } from './volumeService';
import { ModelRegistry } from '../ml/registry/modelRegistry';
import { TrainingService } from './trainingService';
import { ClusterService } from './clusterService';
import { RecordingLibrary } from './recordingLibrary';
import { ClusterImportService } from './clusterImportService';
import { ClusterTrainingService } from './clusterTrainingService';
import { VelocityService } from './velocityService';
import { DEFAULT_VIEW_WORKER_SCRIPT, viewReader, type ViewReader } from './viewThread/viewThread';

export interface HostCapabilities {
  kind: HostKind;
  versions: Record<string, string>;
  launchCompute: ComputeLauncher;
  showOpenDialog(options: { title?: string; kind: 'segy' | 'project' | 'model' }): Promise<OpenDialogResult>;
}

export interface ServicesOptions {
  userDataDir: string;
  /** Project folder to open; the default project in the user-data folder when absent. */
  projectDir?: string;
  /** Folder of the bundled (read-only) models: resources/models in a checkout, the app's resources when packaged. */
  bundledModelsDir: string;
  host: HostCapabilities;
  /** This installation's CLI as a shell command, for cluster jobs (none in the desktop app). */
  cliCommand?: string;
  /**
   * What a damaged database does: 'fail' throws DamagedDatabaseError (the CLI: exit code 3, the file named); 'offer'
   * (the app's hosts) goes on with a stand-in (an in-memory app store, an empty read-only project) and lists the file
   * in damagedFiles() so that the user can move it aside and start fresh.
   */
  damagedDatabases?: 'fail' | 'offer';
  /** The view thread's bundle (viewThread/viewThread.ts); by default dist/viewWorker.cjs next to the host's bundle. */
  viewWorkerScript?: string;
}

export class AppServices {
  readonly bus = new ApiEventBus();
  private readonly damaged = new DamagedDatabases();
  private appStore: AppStore;
  readonly compute: ComputeHost;
  readonly jobs: JobRunner;
  readonly surveys: SurveyLibrary;
  readonly models: ModelRegistry;
  readonly training: TrainingService;
  readonly reconstruction: ReconstructionService;
  readonly volumes: VolumeService;
  readonly cluster: ClusterService;
  readonly recordings: RecordingLibrary;
  readonly clusterImports: ClusterImportService;
  readonly clusterTraining: ClusterTrainingService;
  readonly velocity: VelocityService;
  /** Computes what views ask for off the event loop (viewThread/viewThread.ts). */
  readonly views: ViewReader;
  private currentProject: Project;

  constructor(readonly options: ServicesOptions) {
    this.appStore = this.openAppStore();
    this.currentProject = this.openProject(options.projectDir ?? this.app.defaultProjectDir, true);
    this.compute = new ComputeHost(options.host.launchCompute, this.bus, () => this.defaultModelDirs());
    this.jobs = new JobRunner(this.compute, this.bus, () => this.currentProject, {
      onDetail: (job, detail) => {
        this.training.recordEpoch(job, detail);
        this.volumes.recordProgress(job, detail);
      },
      onFinished: async (job) => {
        const { info, request, project } = job;
        if (request.kind === 'import-survey')
          this.surveys.finishImport(project, info, request.surveyId, request.cacheDir);
        if (request.kind === 'train-model') await this.training.finish(job);
        if (request.kind === 'reconstruct-section') this.reconstruction.finish(job);
        if (request.kind === 'apply-volume') this.volumes.finish(job);
        if (request.kind === 'import-recordings')
          await this.recordings.finishImport(project, info, request.setId, request.cacheDir);
      },
    });
    this.surveys = new SurveyLibrary(() => this.currentProject, this.jobs, this.bus);
    this.models = new ModelRegistry(() => this.currentProject, options.bundledModelsDir);
    this.training = new TrainingService(() => this.currentProject, this.jobs, this.models);
    this.reconstruction = new ReconstructionService(() => this.currentProject, this.jobs, this.models);
    this.volumes = new VolumeService(() => this.currentProject, this.jobs, this.models);
    this.cluster = new ClusterService(() => this.currentProject, this.volumes, options.cliCommand ?? null);
    this.views = viewReader(options.viewWorkerScript ?? DEFAULT_VIEW_WORKER_SCRIPT);
    this.recordings = new RecordingLibrary(() => this.currentProject, this.jobs, this.bus, this.views);
    this.velocity = new VelocityService(() => this.currentProject, this.jobs, this.models);
    this.clusterImports = new ClusterImportService(() => this.currentProject, this.bus, options.cliCommand ?? null);
    this.clusterTraining = new ClusterTrainingService(
      () => this.currentProject,
      this.training,
      this.models,
      options.cliCommand ?? null,
    );
  }

  get project(): Project {
    return this.currentProject;
  }

  get app(): AppStore {
    return this.appStore;
  }

  get host(): HostCapabilities {
    return this.options.host;
  }

  get logsDir(): string {
    return path.join(this.options.userDataDir, 'logs');
  }

  /**
   * The folders of the models a click uses when the user picks none (a compute process on a GPU warms them up when it
   * starts); the denoiser first, as the likelier first click.
   */
  private async defaultModelDirs(): Promise<string[]> {
    const chosen = await Promise.all(
      (['denoise', 'interpolate'] as const).map((task) => chooseModel(this.models, { task })),
    );
    return chosen.flatMap((model) => (model ? [model.dir] : []));
  }

  /**
   * Switches to another project folder (creating it when asked). The project already open is returned as it is. While
   * a job is queued or running the switch is refused: the job's progress, its cancel button and its result all live in
   * the open project, and closing that database under it would lose them (the user cancels it or waits).
   */
  switchProject(dir: string, create: boolean): ProjectInfo {
    if (this.isOpenProject(dir)) return this.currentProject.info();
    const unfinished = this.jobs.unfinished();
    if (unfinished.length > 0) {
      const titles = unfinished.map((job) => job.title).join(', ');
      throw new PromethiumError(
        'unavailable',
        `cannot open another project while jobs run in this one (${titles}): wait for them to finish or cancel them`,
      );
    }
    return this.replaceProject(dir, create);
  }

  /** Opens `dir` in place of the open project (no checks: switchProject and moveDamagedAside make them). */
  private replaceProject(dir: string, create: boolean): ProjectInfo {
    const next = this.openProject(dir, create);
    const previous = this.currentProject;
    this.currentProject = next;
    previous.close();
    return next.info();
  }

  damagedFiles(): DamagedFile[] {
    return this.damaged.list();
  }

  /** Moves a damaged database aside and opens a fresh one in its place (see DamagedDatabases). */
  moveDamagedAside(file: string): { movedTo: string; project: ProjectInfo } {
    const { damaged, movedTo } = this.damaged.moveAside(file);
    if (damaged.kind === 'app') {
      this.appStore.close();
      this.appStore = this.openAppStore();
    } else if (path.join(this.currentProject.dir, PROJECT_DB_FILE) === file) {
      // The same folder again, opened afresh: switchProject would return the stand-in that is open now.
      this.replaceProject(this.currentProject.dir, true);
    }
    return { movedTo, project: this.currentProject.info() };
  }

  private openAppStore(): AppStore {
    try {
      return AppStore.open(this.options.userDataDir);
    } catch (error) {
      if (!this.offersRepair(error)) throw error;
      this.damaged.record(error, 'app');
      return AppStore.inMemory(this.options.userDataDir);
    }
  }

  private isOpenProject(dir: string): boolean {
    try {
      return realpathSync(dir) === realpathSync(this.currentProject.dir);
    } catch {
      return false; // a folder that does not exist yet is not the open project
    }
  }

  private openProject(dir: string, create: boolean): Project {
    let project: Project;
    try {
      project = Project.open(dir, { create });
    } catch (error) {
      if (!this.offersRepair(error)) throw error;
      this.damaged.record(error, 'project');
      return Project.standInFor(dir, error);
    }
    if (!project.readOnly) {
      const removed = project.recoverFromInterruptedRun();
      for (const file of removed) console.log(`removed ${file}, left by a write that was interrupted`);
    }
    this.app.rememberProject(project.dir, project.info().name);
    return project;
  }

  private offersRepair(error: unknown): error is DamagedDatabaseError {
    return error instanceof DamagedDatabaseError && this.options.damagedDatabases === 'offer';
  }

  close(): void {
    void this.surveys.close();
    void this.volumes.close();
    void this.views.close();
    this.compute.stop();
    this.currentProject.close();
    this.appStore.close();
  }
}
