/**
 * The renderer's state: one `AppState` per window, made of runes. It owns the API connection, mirrors what main
 * publishes (jobs, compute status) from the typed events, handles menu commands, and turns every API rejection into a
 * dismissible notice: no call made from here ends as an uncaught promise rejection. Per-area stores it owns hold the
 * jobs (jobs.svelte.ts), the derived volumes (volumes.svelte.ts), the notices (notices.svelte.ts) and the cluster's
 * applies (clusterJobs.svelte.ts); components reach all of them through `useAppState()`.
 */
import { getContext, setContext } from 'svelte';
import { DEFAULT_MODELS } from '../../../preload/contract';
import type {
  AmplitudeStats,
  Api,
  ComputeStatus,
  EpochMetrics,
  HostKind,
  JobInfo,
  JobRequest,
  MenuCommand,
  ModelSummary,
  ProjectInfo,
  ReconstructionMethod,
  ReconstructionResult,
  RecentProject,
  SurveySummary,
  SystemInfo,
  VolumeSummary,
} from '../../../preload/contract';
import { connectApi } from './api';
import { ClusterJobsStore } from './clusterJobs.svelte';
import { ClusterImportsStore } from './clusterImports.svelte';
import { ClusterTrainingsStore } from './clusterTrainings.svelte';
import { errorCode } from './errors';
import { isActive, JobsStore } from './jobs.svelte';
import { NoticesStore, type Notice } from './notices.svelte';
import { RecordingsStore } from './recordings.svelte';
import { VolumesStore } from './volumes.svelte';

export type ViewName = 'home' | 'jobs' | 'models' | 'system' | 'survey' | 'compare' | 'recording';
export const VIEWS: readonly { id: ViewName; label: string }[] = [
  { id: 'home', label: 'Home' },
  { id: 'jobs', label: 'Jobs' },
  { id: 'models', label: 'Models' },
  { id: 'system', label: 'System' },
];

export type ReconstructTask = 'denoise' | 'interpolate';
export type ReconstructRequest = Parameters<Api['reconstruct']['section']>[0];
export type ApplyVolumeRequest = Parameters<Api['volumes']['apply']>[0];
export type ExportVolumeRequest = Parameters<Api['volumes']['export']>[0];

/** The classical methods offered next to the models, per task. */
export const CLASSICAL_METHODS: Record<ReconstructTask, { id: ReconstructionMethod; label: string }[]> = {
  denoise: [
    { id: 'fx', label: 'f-x deconvolution' },
    { id: 'median', label: 'Median filter' },
    { id: 'fk', label: 'f-k filter' },
  ],
  interpolate: [
    { id: 'pocs', label: 'POCS interpolation' },
    { id: 'linear', label: 'Linear interpolation' },
    { id: 'slope', label: 'Slope-steered interpolation' },
  ],
};

/** What runs a reconstruction: 'model:<id>' or 'method:<name>'. */
export type ReconstructChoice = `model:${string}` | `method:${ReconstructionMethod}`;

/** The native menu's accelerators (main/app/menu.ts), for the browser mode where there is no native menu. */
export function menuShortcut(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>,
): MenuCommand | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = event.key.toLowerCase();
  if (key === 'o') return event.shiftKey ? 'open-project' : 'open-segy';
  if (event.shiftKey) return null;
  if (key === 'e') return 'export';
  if (key === 'j') return 'show-jobs';
  return null;
}

export function isEpochMetrics(value: unknown): value is EpochMetrics {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['epoch', 'trainLoss', 'valLoss', 'valSnrDb'].every((key) => typeof record[key] === 'number');
}

/** What the viewer under the cursor reads, shown in the status bar. */
export interface CursorReadout {
  /** Ordered label/value pairs, e.g. [['IL', '120'], ['XL', '340'], ['t', '1204 ms'], ['amp', '-0.52']]. */
  items: [string, string][];
  dead: boolean;
}

/** A survey is browsable as sections when it has a cache (post-stack), else as gathers. */
export function browsesGathers(survey: SurveySummary): boolean {
  const kind = survey.description?.kind;
  return kind !== 'post-stack-3d' && kind !== 'post-stack-2d';
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

/**
 * The compute self-test: amplitude statistics of a synthetic 240 x 400 x 1000 volume (96 M samples), a few seconds on a
 * 2-core machine, so its progress bar is visibly alive end to end (renderer → main → compute process → back).
 */
export const SELF_TEST_REQUEST: Extract<JobRequest, { kind: 'synthetic-stats' }> = {
  kind: 'synthetic-stats',
  inlines: 240,
  crosslines: 400,
  samples: 1000,
  seed: 1,
};

export function isAmplitudeStats(value: unknown): value is AmplitudeStats {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return ['count', 'min', 'max', 'mean', 'rms', 'p99Abs'].every((key) => typeof record[key] === 'number');
}

/** The status bar's words for the compute process. */
export function describeCompute(status: ComputeStatus | null): string {
  if (!status) return 'compute: …';
  switch (status.state) {
    case 'starting':
      return 'compute: starting…';
    case 'crashed':
      return `compute: crashed (${status.lastExit ?? 'no reason given'})`;
    case 'stopped':
      return 'compute: idle (starts with the first job)';
    case 'ready':
      return status.backend ? `${status.backend.backend} · ${status.backend.device}` : 'compute: ready, no ML backend';
  }
}

export class AppState {
  readonly api: Api;
  /** Applies sent to the project's Slurm cluster (polled while any runs). */
  readonly cluster: ClusterJobsStore;
  /** SEG-Y imports sent to the project's Slurm cluster (polled while any runs). */
  readonly clusterImports: ClusterImportsStore;
  /** Trainings sent to the project's Slurm cluster (polled while any runs). */
  readonly clusterTrainings: ClusterTrainingsStore;
  /** The jobs main runs, as events and lists report them. */
  readonly jobs: JobsStore;
  /** The surveys' derived volumes, and the one being exported. */
  readonly volumes: VolumesStore;
  /** The project's recording sets (passive recordings) and the one open. */
  readonly recordings: RecordingsStore;
  readonly host: HostKind;

  view = $state<ViewName>('home');
  connection = $state<ConnectionState>('connecting');
  system = $state<SystemInfo | null>(null);
  compute = $state<ComputeStatus | null>(null);
  project = $state<ProjectInfo | null>(null);
  recent = $state<RecentProject[] | null>(null);
  models = $state<ModelSummary[] | null>(null);
  readonly notices = new NoticesStore();
  jobsPanelOpen = $state(true);
  projectForm = $state({ visible: false, path: '', busy: false });
  selfTestJobId = $state<string | null>(null);
  probing = $state(false);
  surveys = $state<SurveySummary[] | null>(null);
  openSurveyId = $state<string | null>(null);
  /** The browser mode's SEG-Y file picker (the native dialog in Electron). */
  filePickerOpen = $state(false);
  /** What the file picker opens: a SEG-Y file to import, or a .pmodel archive. */
  filePickerPurpose = $state<'segy' | 'model'>('segy');
  /** The model manager's train dialog. */
  trainDialogOpen = $state(false);
  /** The SEG-Y file the import dialog inspects, or null when it is closed. */
  importPath = $state<string | null>(null);
  readout = $state<CursorReadout | null>(null);
  /** A clock for durations of running jobs, ticking once a second. */
  now = $state(Date.now());
  /** Reconstructions started from this window: their request, until their result opens the compare view. */
  reconstructions = $state<Record<string, ReconstructRequest>>({});
  /** The compare view's reconstruction (null before the first one). */
  compare = $state.raw<ReconstructionResult | null>(null);
  compareRequest = $state.raw<ReconstructRequest | null>(null);
  /**
   * The viewer's one-click settings: the model or method per task, test-time augmentation, ensemble size, strength
   * check.
   */
  reconstructChoice = $state<Record<ReconstructTask, ReconstructChoice>>({
    denoise: `model:${DEFAULT_MODELS.denoise}`,
    interpolate: `model:${DEFAULT_MODELS.interpolate}`,
  });
  reconstructTta = $state(false);
  reconstructEnsemble = $state(1);
  /** Model denoising without the strength check (SURE); the check is on by default. */
  reconstructFullStrength = $state(false);
  /** Per-epoch metrics of training jobs seen in this window (from jobs.changed details), by job id. */
  trainingCurves = $state<Record<string, EpochMetrics[]>>({});
  /** Imports started from this window: job id -> survey id, opened when the import is done. */
  imports = $state<Record<string, string>>({});
  /** "Adapt to this survey" jobs started from this window: job id -> the model adapted. */
  adaptations = $state<Record<string, string>>({});
  /** "Build velocity model" jobs started from this window: survey id -> its latest build job (VelocityPanel). */
  velocityBuilds = $state<Record<string, string>>({});

  computeLabel = $derived(describeCompute(this.compute));
  openSurvey = $derived(this.surveys?.find((survey) => survey.id === this.openSurveyId) ?? null);

  private everConnected = false;

  /** The self-test started here, else the latest one (a getter: the jobs store is made in the constructor). */
  get selfTestJob(): JobInfo | undefined {
    return (
      (this.selfTestJobId ? this.jobs.find(this.selfTestJobId) : undefined) ??
      this.jobs.sorted.find((job) => job.kind === 'synthetic-stats')
    );
  }

  constructor() {
    const connection = connectApi((connected) => this.onConnectionChange(connected));
    this.api = connection.api;
    const attempt = <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => this.attempt(what, call);
    this.jobs = new JobsStore(this.api, attempt);
    this.volumes = new VolumesStore(this.api, attempt, () => this.openSurveyId);
    this.cluster = new ClusterJobsStore(this.api, attempt, () => this.volumes.changed());
    this.recordings = new RecordingsStore(this.api, attempt);
    this.clusterImports = new ClusterImportsStore(this.api, attempt, () => void this.loadSurveys());
    this.clusterTrainings = new ClusterTrainingsStore(this.api, attempt, () => void this.loadModels());
    this.host = connection.host;
    if (this.host === 'electron') this.connection = 'connected';
  }

  /** Subscribes to main's events and loads everything the shell shows; returns the teardown. */
  start(): () => void {
    const unsubscribe = [
      this.api.on('jobs.changed', (job) => this.upsertJob(job)),
      this.api.on('compute.status', (status) => {
        this.compute = status;
      }),
      this.api.on('menu.command', (command) => void this.handleMenuCommand(command)),
      this.api.on('surveys.changed', (survey) => this.upsertSurvey(survey)),
      this.api.on('recordings.changed', (set) => this.recordings.upsert(set)),
    ];
    // The browser mode has no native menu: its shortcuts are the page's.
    const onKey = (event: KeyboardEvent): void => {
      const command = this.host === 'browser' ? menuShortcut(event) : null;
      if (!command) return;
      event.preventDefault();
      void this.handleMenuCommand(command);
    };
    window.addEventListener('keydown', onKey);
    // A last line of defence: a rejection that escaped a handler still reaches the user as a notice.
    const onRejection = (event: PromiseRejectionEvent): void => this.notifyError('Unexpected error', event.reason);
    window.addEventListener('unhandledrejection', onRejection);
    const clock = setInterval(() => {
      if (this.jobs.runningCount > 0) this.now = Date.now();
    }, 1000);
    void this.refresh();
    return () => {
      for (const off of unsubscribe) off();
      window.removeEventListener('unhandledrejection', onRejection);
      window.removeEventListener('keydown', onKey);
      clearInterval(clock);
      this.cluster.stop();
      this.clusterImports.stop();
      this.clusterTrainings.stop();
    };
  }

  private onConnectionChange(connected: boolean): void {
    this.connection = connected ? 'connected' : 'disconnected';
    if (!connected) return;
    // Events sent while the socket was down are lost: reload the picture after a reconnection.
    if (this.everConnected) void this.refresh();
    this.everConnected = true;
  }

  async refresh(): Promise<void> {
    await Promise.all([
      this.loadSystem(),
      this.loadProject(),
      this.jobs.load(),
      this.loadModels(),
      this.loadRecent(),
      this.loadSurveys(),
      this.recordings.load(),
      this.cluster.refresh(),
      this.clusterImports.refresh(),
      this.clusterTrainings.refresh(),
    ]);
  }

  async loadSurveys(): Promise<void> {
    const surveys = await this.attempt('Listing surveys', () => this.api.survey.list());
    if (!surveys) return;
    this.surveys = surveys;
    if (this.openSurveyId && !surveys.some((survey) => survey.id === this.openSurveyId)) this.closeSurvey();
  }

  upsertSurvey(survey: SurveySummary): void {
    if (!this.surveys) this.surveys = [];
    const index = this.surveys.findIndex((known) => known.id === survey.id);
    if (index < 0) this.surveys.push(survey);
    else this.surveys[index] = survey;
  }

  /** Opens a ready survey's viewer. */
  showSurvey(id: string): void {
    const survey = this.surveys?.find((known) => known.id === id);
    if (!survey || survey.state !== 'ready') return;
    this.openSurveyId = id;
    this.view = 'survey';
  }

  /** Opens a ready recording set's waveform and spectrogram view. */
  showRecording(id: string): void {
    if (this.recordings.sets?.find((set) => set.id === id)?.state !== 'ready') return;
    this.recordings.openId = id;
    this.view = 'recording';
  }

  closeSurvey(): void {
    this.openSurveyId = null;
    this.readout = null;
    this.volumes.exportingId = null;
    if (this.view === 'survey') this.view = 'home';
  }

  async removeSurvey(id: string): Promise<void> {
    const done = await this.attempt('Removing the survey', async () => {
      await this.api.survey.remove(id);
      return true;
    });
    if (!done) return;
    if (this.openSurveyId === id) this.closeSurvey();
    this.surveys = (this.surveys ?? []).filter((survey) => survey.id !== id);
  }

  /** File › Open SEG-Y: the native dialog where there is one; the browser mode's picker over files.list otherwise. */
  async requestOpenSegy(): Promise<void> {
    try {
      const choice = await this.api.system.showOpenDialog({ kind: 'segy', title: 'Open SEG-Y' });
      const [path] = choice.paths;
      if (!choice.canceled && path) this.importPath = path;
    } catch (error) {
      if (errorCode(error) === 'unavailable' && this.connection !== 'disconnected') {
        this.filePickerPurpose = 'segy';
        this.filePickerOpen = true;
      } else this.notifyError('Opening SEG-Y', error);
    }
  }

  /** Models › Import: the native dialog where there is one, else the browser mode's picker showing .pmodel files. */
  async requestImportModel(): Promise<void> {
    try {
      const choice = await this.api.system.showOpenDialog({ kind: 'model', title: 'Import a model (.pmodel)' });
      const [path] = choice.paths;
      if (!choice.canceled && path) await this.importModel(path);
    } catch (error) {
      if (errorCode(error) === 'unavailable' && this.connection !== 'disconnected') {
        this.filePickerPurpose = 'model';
        this.filePickerOpen = true;
      } else this.notifyError('Importing a model', error);
    }
  }

  async importModel(path: string): Promise<ModelSummary | undefined> {
    this.filePickerOpen = false;
    const model = await this.attempt('Importing the model', () => this.api.models.import(path));
    if (!model) return undefined;
    this.notify('info', 'Model imported', `${model.name} (${model.architecture}, ${model.task})`);
    await this.loadModels();
    return model;
  }

  chooseSegy(path: string): void {
    this.filePickerOpen = false;
    this.importPath = path;
  }

  /** Starts the import job; the survey shows up as 'importing' in the sidebar and the job in the panel. */
  async importSurvey(request: Parameters<Api['survey']['import']>[0]): Promise<boolean> {
    const started = await this.attempt('Importing the survey', () => this.api.survey.import(request));
    if (!started) return false;
    this.upsertSurvey(started.survey);
    this.imports[started.job.id] = started.survey.id;
    this.upsertJob(started.job);
    this.jobsPanelOpen = true;
    this.importPath = null;
    return true;
  }

  /** The same import as a chain of jobs on the project's Slurm cluster: the survey is listed at once, as importing. */
  async importSurveyOnCluster(request: Parameters<Api['cluster']['importSurvey']>[0]): Promise<boolean> {
    const survey = await this.clusterImports.submit(request);
    if (!survey) return false;
    this.upsertSurvey(survey);
    this.jobsPanelOpen = true;
    this.importPath = null;
    return true;
  }

  async loadSystem(): Promise<void> {
    const info = await this.attempt('Reading system information', () => this.api.system.info());
    if (!info) return;
    this.system = info;
    this.compute = info.compute;
  }

  async loadProject(): Promise<void> {
    const project = await this.attempt('Reading the current project', () => this.api.project.current());
    if (project) this.project = project;
  }

  async loadRecent(): Promise<void> {
    const recent = await this.attempt('Reading recent projects', () => this.api.project.recent());
    if (recent) this.recent = recent;
  }

  async loadModels(): Promise<void> {
    const models = await this.attempt('Listing models', () => this.api.models.list());
    if (models) this.models = models;
  }

  upsertJob(job: JobInfo): void {
    const previous = this.jobs.record(job);
    if (isEpochMetrics(job.detail)) this.noteEpoch(job.id, job.detail);
    const finishedNow = !isActive(job.state) && (!previous || isActive(previous.state));
    if (this.reconstructions[job.id] && !isActive(job.state)) this.reconstructionEnded(job);
    if (finishedNow && job.kind === 'train-model' && job.state === 'done') void this.loadModels();
    if (job.kind === 'apply-volume' && (finishedNow || !previous || previous.progress !== job.progress)) {
      this.volumes.changed();
    }
    if (finishedNow && job.kind === 'export-volume') {
      if (job.state === 'done') this.notify('info', 'Volume exported', job.title);
      else if (job.state === 'failed') this.notifyError(job.title, job.error ?? new Error(job.message));
    }
    if (finishedNow && this.adaptations[job.id] !== undefined) this.adaptationEnded(job);
    if (finishedNow && this.imports[job.id] !== undefined) void this.importEnded(job);
  }

  /** Starts applying a reconstruction to a survey's inlines: a new derived volume and its job (in the jobs panel). */
  async applyVolume(request: ApplyVolumeRequest): Promise<VolumeSummary | undefined> {
    const started = await this.attempt('Applying to the volume', () => this.api.volumes.apply(request));
    if (!started) return undefined;
    this.volumes.addFirst(started.volume);
    this.jobsPanelOpen = true;
    this.upsertJob(started.job);
    return started.volume;
  }

  /** The same apply as an array job on the project's Slurm cluster: the volume is listed at once, filled by the tasks. */
  async applyVolumeOnCluster(request: ApplyVolumeRequest): Promise<VolumeSummary | undefined> {
    const volume = await this.cluster.apply(request);
    if (!volume) return undefined;
    this.volumes.addFirst(volume);
    this.jobsPanelOpen = true;
    return volume;
  }

  async exportVolume(request: ExportVolumeRequest): Promise<JobInfo | undefined> {
    const job = await this.attempt('Exporting the volume', () => this.api.volumes.export(request));
    if (!job) return undefined;
    this.jobsPanelOpen = true;
    this.upsertJob(job);
    return job;
  }

  /** Resumes a volume's stopped job: the lines already written are kept. */
  async resumeJob(jobId: string): Promise<JobInfo | undefined> {
    const job = await this.attempt('Resuming the job', () => this.api.jobs.resume(jobId));
    if (!job) return undefined;
    this.jobsPanelOpen = true;
    this.upsertJob(job);
    this.volumes.changed();
    return job;
  }

  /** "Adapt to this survey": fine-tunes a model on the survey; the new model joins the choices when the job is done. */
  async adaptModel(modelId: string, surveyId: string, timeBudgetSeconds: number): Promise<JobInfo | undefined> {
    const job = await this.attempt('Adapting the model', () =>
      this.api.models.adapt({ modelId, surveyId, timeBudgetSeconds }),
    );
    if (!job) return undefined;
    this.adaptations[job.id] = modelId;
    this.jobsPanelOpen = true;
    this.upsertJob(job);
    return job;
  }

  private adaptationEnded(job: JobInfo): void {
    delete this.adaptations[job.id];
    if (job.state === 'done') {
      const name = (job.result as { name?: unknown } | null)?.name;
      this.notify(
        'info',
        'Model adapted',
        `${typeof name === 'string' ? name : job.title} is now in the model choices`,
      );
      void this.loadModels();
    } else if (job.state === 'failed') this.notifyError(job.title, job.error ?? new Error(job.message));
  }

  /** An import started here is done: its survey opens (the sidebar lists it either way). */
  private async importEnded(job: JobInfo): Promise<void> {
    const surveyId = this.imports[job.id]!;
    delete this.imports[job.id];
    if (job.state !== 'done') return;
    // The job's end may arrive before the survey's own change event: read the survey as it is now.
    const survey = await this.attempt('Reading the imported survey', () => this.api.survey.get(surveyId));
    if (!survey) return;
    this.upsertSurvey(survey);
    this.showSurvey(surveyId);
  }

  private noteEpoch(jobId: string, metrics: EpochMetrics): void {
    const curve = this.trainingCurves[jobId] ?? [];
    if (curve.some((known) => known.epoch === metrics.epoch)) return;
    this.trainingCurves[jobId] = [...curve, { ...metrics }].sort((a, b) => a.epoch - b.epoch);
  }

  /** Starts a one-click reconstruction of a line; the compare view opens when its job is done. */
  async reconstruct(request: ReconstructRequest): Promise<JobInfo | undefined> {
    const job = await this.attempt(request.task === 'denoise' ? 'Denoising the line' : 'Filling missing traces', () =>
      this.api.reconstruct.section(request),
    );
    if (!job) return undefined;
    this.reconstructions[job.id] = request;
    this.jobsPanelOpen = true;
    // The job's own events may have overtaken this answer: the snapshot kept is the newest.
    this.upsertJob(job);
    const known = this.jobs.find(job.id);
    if (known && !isActive(known.state) && this.reconstructions[job.id]) this.reconstructionEnded(known);
    return job;
  }

  private reconstructionEnded(job: JobInfo): void {
    const request = this.reconstructions[job.id];
    if (!request) return;
    delete this.reconstructions[job.id];
    if (job.state === 'done') void this.openCompare(job.id, request);
    else if (job.state === 'failed') this.notifyError(job.title, job.error ?? new Error(job.message));
  }

  /** Loads a finished reconstruction's panels and shows them in the compare view. */
  async openCompare(jobId: string, request: ReconstructRequest | null = null): Promise<void> {
    const result = await this.attempt('Reading the reconstruction', () => this.api.reconstruct.result(jobId));
    if (!result) return;
    this.compare = result;
    this.compareRequest = request;
    this.view = 'compare';
  }

  show(view: ViewName): void {
    if (view === 'survey' && !this.openSurveyId) return;
    if (view === 'compare' && !this.compare) return;
    this.view = view;
  }

  async handleMenuCommand(command: MenuCommand): Promise<void> {
    switch (command) {
      case 'show-jobs':
        return this.show('jobs');
      case 'show-system':
      case 'about':
        return this.show('system');
      case 'open-project':
        return this.requestOpenProject();
      case 'open-segy':
        return this.requestOpenSegy();
      case 'export':
        return this.requestExport();
    }
  }

  /**
   * File › Export: the export dialog of the open survey's newest finished derived volume (the survey itself goes out
   * with `promethium export`); without one, a notice says what to do first.
   */
  async requestExport(): Promise<void> {
    const survey = this.openSurvey;
    if (!survey) {
      this.notify(
        'info',
        'Nothing to export',
        'Open a survey and make a derived volume of it (Apply to volume…): File › Export writes that volume as SEG-Y.',
      );
      return;
    }
    await this.volumes.load(survey.id);
    const ready = (this.volumes.bySurvey[survey.id] ?? []).find((volume) => volume.state === 'ready');
    if (!ready) {
      this.notify(
        'info',
        'No derived volume to export yet',
        `${survey.name} has no finished derived volume: Apply to volume… makes one, then File › Export writes it as SEG-Y.`,
      );
      return;
    }
    this.view = 'survey';
    this.volumes.exportingId = ready.id;
  }

  /** The native folder dialog where there is one; the browser mode has none, so it asks for a server-side path. */
  async requestOpenProject(): Promise<void> {
    try {
      const choice = await this.api.system.showOpenDialog({ kind: 'project', title: 'Open a Promethium project' });
      const [path] = choice.paths;
      if (!choice.canceled && path) await this.openProject(path, false);
    } catch (error) {
      if (errorCode(error) === 'unavailable' && this.connection !== 'disconnected') this.showProjectForm();
      else this.notifyError('Opening a project', error);
    }
  }

  showProjectForm(): void {
    const current = this.project?.path ?? this.system?.paths.project ?? '';
    const parent = current.replace(/[\\/][^\\/]*$/, '');
    this.projectForm = { visible: true, path: parent ? `${parent}/` : '', busy: false };
  }

  hideProjectForm(): void {
    this.projectForm = { visible: false, path: this.projectForm.path, busy: false };
  }

  async openProject(path: string, create: boolean): Promise<boolean> {
    this.projectForm.busy = true;
    const project = await this.attempt(create ? 'Creating the project' : 'Opening the project', () =>
      create ? this.api.project.create(path) : this.api.project.open(path),
    );
    this.projectForm.busy = false;
    if (!project) return false;
    this.project = project;
    this.projectForm.visible = false;
    this.selfTestJobId = null;
    this.notify('info', create ? 'Project created' : 'Project opened', `${project.name} — ${project.path}`);
    this.closeSurvey();
    await Promise.all([
      this.jobs.load(),
      this.loadModels(),
      this.loadRecent(),
      this.loadSystem(),
      this.loadSurveys(),
      this.cluster.refresh(),
      this.clusterImports.refresh(),
      this.clusterTrainings.refresh(),
    ]);
    return true;
  }

  async cancelJob(id: string): Promise<void> {
    this.jobs.cancelling[id] = true;
    const job = await this.attempt('Cancelling the job', () => this.api.jobs.cancel(id));
    if (job) this.upsertJob(job);
    else delete this.jobs.cancelling[id];
  }

  async startSelfTest(): Promise<void> {
    const job = await this.attempt('Starting the compute self-test', () => this.api.jobs.start(SELF_TEST_REQUEST));
    if (!job) return;
    this.selfTestJobId = job.id;
    this.upsertJob(job);
  }

  async reprobeBackend(): Promise<void> {
    this.probing = true;
    const report = await this.attempt('Probing the compute backend', () => this.api.system.backend());
    this.probing = false;
    if (!report) return;
    if (this.compute) this.compute = { ...this.compute, backend: report };
    this.notify('info', 'Backend probed', `${report.backend} · ${report.device} (${Math.round(report.probeMs)} ms)`);
  }

  /** Runs an API call; a rejection becomes a notice and the result `undefined`. */
  attempt<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    return this.notices.attempt(what, call);
  }

  notifyError(title: string, error: unknown): void {
    this.notices.error(title, error);
  }

  notify(tone: Notice['tone'], title: string, message: string, code: string | null = null): void {
    this.notices.add(tone, title, message, code);
  }
}

const APP_STATE = Symbol('promethium.appState');

export function provideAppState(state: AppState): void {
  setContext(APP_STATE, state);
}

export function useAppState(): AppState {
  const state = getContext<AppState | undefined>(APP_STATE);
  if (!state) throw new Error('useAppState() called outside <App>');
  return state;
}
