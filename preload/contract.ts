/**
 * The one typed API between the renderer (untrusted) and the main process.
 *
 * Everything that crosses the boundary is described here once: each method's argument schema (validated on the main side,
 * because the renderer is untrusted) and its result type, plus the typed events. The preload bridge, the WebSocket client
 * of the browser mode, main's handler map and the dispatcher are all derived from `apiContract`, so a method added here
 * without a handler is a compile error.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------------------
// Shared value types
// ---------------------------------------------------------------------------------------------------------------------

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** Outcome of the compute process's ML backend probe: the chosen backend and why each better one was skipped. */
export interface BackendReport {
  backend: BackendName;
  /** Human-readable device, e.g. "NVIDIA H200 (Vulkan)" or "WebAssembly SIMD, 1 thread". */
  device: string;
  fallbacks: { backend: BackendName; reason: string }[];
  /** True when PROMETHIUM_BACKEND forced the choice. */
  forced: boolean;
  probeMs: number;
  /** Every GPU adapter Dawn enumerates (main/ml/gpuAdapters.ts), whichever backend was chosen. */
  adapters: GpuAdapterInfo[];
  /** The adapters this run spreads work over (PROMETHIUM_GPUS), as indices of `adapters`. */
  gpus: number[];
}

/** One GPU adapter as Dawn (the webgpu package) lists it; `index` is what PROMETHIUM_GPUS names. */
export interface GpuAdapterInfo {
  index: number;
  backend: string;
  name: string;
}

export type ComputeState = 'stopped' | 'starting' | 'ready' | 'crashed';

export interface ComputeStatus {
  state: ComputeState;
  pid: number | null;
  backend: BackendReport | null;
  /** How many times the compute process died and was started again. */
  restarts: number;
  lastExit: string | null;
}

export type HostKind = 'electron' | 'browser';

export interface SystemInfo {
  appVersion: string;
  host: HostKind;
  versions: Record<string, string>;
  platform: string;
  /** `logs` is null while the folder does not exist (nothing has been logged there). */
  paths: { userData: string; project: string; logs: string | null };
  compute: ComputeStatus;
}

export interface ProjectInfo {
  path: string;
  name: string;
  schemaVersion: number;
  createdAt: string;
  /** Why the project is open read-only (a folder that cannot be written, a damaged database); null when writable. */
  readOnly: string | null;
}

export interface RecentProject {
  path: string;
  name: string;
  openedAt: string;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface JobInfo {
  id: string;
  kind: JobRequest['kind'];
  title: string;
  state: JobState;
  /** 0..1 */
  progress: number;
  etaSeconds: number | null;
  message: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: ApiErrorShape | null;
  result: unknown;
  /** The latest structured progress of the job (for training: the last epoch's metrics). */
  detail: unknown;
}

export type ModelTask = 'denoise' | 'interpolate';
/** What a registered model does: a reconstruction task, or building velocity models from shot gathers. */
export type ModelPurpose = ModelTask | 'velocity';

/** How training pairs are made from the data (main/ml/training/taskBatches.ts says what each does). */
export const TRAINING_CORRUPTIONS = ['synthetic', 'blind-spot', 'recorrupted'] as const;
export type TrainingCorruption = (typeof TRAINING_CORRUPTIONS)[number];

/**
 * The bundled model each task uses when none is chosen (app, CLI and renderer alike). The denoiser is the one that meets
 * the 5 s target for a 1000 x 1500 line at checked strength on a 2-core CPU (BENCHMARKS.md): unet_denoise_v2 is better
 * by 0.2-2.9 dB on the real data but takes 9.0 s there (resources/models/README.md); users choose it in the list.
 */
export const DEFAULT_MODELS: Readonly<Record<ModelTask, string>> = {
  denoise: 'unet_denoise_v1',
  interpolate: 'unet_interp_v1',
};

/** The bundled velocity ensemble that velocity.build uses when none is chosen (resources/models/README.md). */
export const DEFAULT_VELOCITY_MODEL = 'velocity_ensemble_v1';
/**
 * Largest source delay a velocity build accepts, ms: the time from the survey's time zero back to the source's start
 * (the networks' time zero). Field data with time zero at the wavelet's peak need the network's 67 ms.
 */
export const MAX_SOURCE_DELAY_MS = 500;

/** The model card: what a model is, what it was trained on, how, and how good it measured. Saved with the weights. */
export interface ModelCard {
  name: string;
  architecture: string;
  task: ModelPurpose;
  /** The model config (architecture + params) as data. */
  config: unknown;
  training: {
    data: string;
    seed: number | null;
    epochs: number | null;
    command: string | null;
    durationSeconds: number | null;
    hardware: string | null;
    backend: string | null;
  };
  /** Measured quality, e.g. { valSnrDb: 14.2 }. */
  metrics: Record<string, number>;
  parentId: string | null;
  createdAt: string;
  notes: string;
}

export interface ModelSummary {
  id: string;
  name: string;
  architecture: string;
  task: ModelPurpose;
  bundled: boolean;
  createdAt: string;
  sizeBytes: number;
  parentId: string | null;
  metrics: Record<string, number>;
}

export interface EpochMetrics {
  epoch: number;
  /** The model's training objective; for a GAN, the generator's (data loss + adversarial term). */
  trainLoss: number;
  /** A GAN's discriminator loss (cross-entropy on real and generated sections); absent for other models. */
  discriminatorLoss?: number;
  valLoss: number;
  valSnrDb: number;
  learningRate: number;
  seconds: number;
}

export interface ModelDetails {
  summary: ModelSummary;
  card: ModelCard;
  /** Per-epoch training curves (empty for imported and bundled models). */
  history: EpochMetrics[];
}

export interface OpenDialogResult {
  canceled: boolean;
  paths: string[];
}

// ---------------------------------------------------------------------------------------------------------------------
// Surveys and sections
// ---------------------------------------------------------------------------------------------------------------------

export type SurveyKind = 'post-stack-3d' | 'post-stack-2d' | 'pre-stack-3d' | 'pre-stack-2d' | 'unstructured';

/** 1-based trace-header byte positions of the keys. */
export interface HeaderMapPositions {
  inline: number;
  crossline: number;
  offset: number;
  cdpX: number;
  cdpY: number;
  coordinateScalar: number;
}

export interface HeaderMapProposalInfo {
  map: HeaderMapPositions;
  /** 0..1 */
  confidence: number;
  alternatives: { inline: number; crossline: number; score: number; relationToBest: string }[];
  /** The keys the user fixed. */
  overridden: string[];
}

export interface AxisRangeInfo {
  first: number;
  last: number;
  step: number;
  count: number;
}

export interface SampleAxisInfo {
  domain: 'time' | 'depth';
  unit: 'ms' | 'm' | 'ft';
  start: number;
  interval: number;
  count: number;
  /** What the samples measure when the trace headers say (bytes 203-204), e.g. 'm/s' for a velocity model. */
  valueUnit?: string;
}

/** The colormaps a survey's display may use (the renderer draws them; 'heat' is kept for uncertainty and spectra). */
export const DISPLAY_COLORMAPS = ['seismic', 'bwo', 'grey', 'viridis', 'rainbow'] as const;
/**
 * How the colour range follows the data: symmetric about zero at a percentile of |value| (zero-mean amplitudes),
 * from the minimum to the maximum, or between the (100 - p)th and the pth percentile (data not centred on zero).
 */
export const CLIP_MODES = ['symmetric', 'percentile', 'minmax'] as const;
export type ClipMode = (typeof CLIP_MODES)[number];

/** A survey's display settings, saved in the project (survey.setDisplay) so that it reopens as it was left. */
export const displaySettingsSchema = z.object({
  colormap: z.enum(DISPLAY_COLORMAPS),
  clipMode: z.enum(CLIP_MODES),
  clipPercentile: z.number().min(50).max(100),
  gain: z.number().min(0.0625).max(16),
  /** AGC window in the vertical axis's unit (ms or m/ft); 0: off. */
  agcWindow: z.number().min(0).max(10_000),
  wiggles: z.boolean(),
});
export type DisplaySettings = z.infer<typeof displaySettingsSchema>;

/** The vertical axis a user may declare for a survey: time in ms, or depth in metres or feet. */
export const VERTICAL_AXES = [
  { domain: 'time', unit: 'ms' },
  { domain: 'depth', unit: 'm' },
  { domain: 'depth', unit: 'ft' },
] as const satisfies readonly Pick<SampleAxisInfo, 'domain' | 'unit'>[];

/** What `promethium info` and the import dialog show about a SEG-Y file. */
export interface SegyFileInfo {
  path: string;
  fileSize: number;
  format: number;
  formatName: string;
  revision: number;
  byteOrder: 'big' | 'little';
  textEncoding: 'ebcdic' | 'ascii';
  textHeader: string[];
  extendedTextHeaders: number;
  samplesPerTrace: number;
  sampleIntervalUs: number;
  traceCount: number;
  warnings: string[];
}

export interface SurveyDescription {
  file: SegyFileInfo;
  kind: SurveyKind;
  headerMap: HeaderMapProposalInfo;
  sampleAxis: SampleAxisInfo;
  grid: {
    inlines: AxisRangeInfo;
    crosslines: AxisRangeInfo;
    offsets: number[];
    liveCells: number;
    duplicates: number;
    /** Bin sizes and azimuth from CDP X/Y (null without coordinates). */
    inlineSpacing: number | null;
    crosslineSpacing: number | null;
    rotationDeg: number | null;
  } | null;
  line: { traces: number; keyByte: number | null } | null;
  gathers: { count: number; maxFold: number; gatherByte: number | null; channelByte: number | null } | null;
  deadTraces: number;
  warnings: string[];
}

export type SourceStatus = 'ok' | 'changed' | 'missing';

export interface SurveySummary {
  id: string;
  name: string;
  sourcePath: string;
  state: 'importing' | 'ready' | 'failed';
  /** Null while importing. */
  description: SurveyDescription | null;
  sourceStatus: SourceStatus;
  createdAt: string;
}

export type SectionAxis = 'inline' | 'crossline' | 'time' | 'gather' | 'arbitrary';

/** One displayable panel: traces x samples, trace-major (trace t is data[t*samples .. (t+1)*samples)). */
export interface SectionData {
  surveyId: string;
  axis: SectionAxis;
  /** 0-based position along the axis (inline index, crossline index, sample index, gather index). */
  index: number;
  /** How many positions the axis has (for next/previous). */
  count: number;
  label: string;
  traces: number;
  samples: number;
  data: Float32Array;
  /** 1 for live traces, 0 for missing/dead ones. */
  live: Uint8Array;
  /** Horizontal axis: the key of each trace (crossline, inline or offset numbers). */
  traceAxis: { name: string; values: Int32Array };
  /** Vertical axis (time/depth; crossline numbers for a time slice). */
  sampleAxis: { name: string; unit: string; start: number; interval: number };
}

/**
 * `section.arbitrary`: the traces nearest to points sampled at the bin spacing along a polyline drawn on the base map.
 * Its trace axis counts traces along the line (1..traces); `cells` and `vertices` give the inline/crossline of each.
 */
export interface ArbitraryLineData extends SectionData {
  axis: 'arbitrary';
  /** Inline and crossline number of each trace along the line. */
  cells: { inlines: Int32Array; crosslines: Int32Array };
  /** Grid indices (inline index, crossline index) of each trace, for the header lookup and the base map. */
  cellIndices: { inlines: Int32Array; crosslines: Int32Array };
  /** The trace at each vertex of the polyline, with its inline and crossline numbers (axis labels). */
  vertices: { trace: number; inline: number; crossline: number }[];
}

/** `section.traceHeader`: every standard trace-header field of one trace of the survey's source SEG-Y file. */
export interface TraceHeaderData {
  surveyId: string;
  /** 0-based position of the trace in the file. */
  traceIndex: number;
  /** Where the trace sits, e.g. "IL 116 · XL 880" or "gather 3, trace 12". */
  label: string;
  /** In byte order: name, 1-based byte position, type and value. */
  fields: { name: string; byte: number; type: string; value: number }[];
}

export type ReconstructionMethod = 'fx' | 'median' | 'fk' | 'pocs' | 'linear' | 'slope';

/**
 * Denoising with a model: the strength check (Stein's unbiased risk estimate, main/ml/sure.ts). The model's removal
 * above 12 Hz is applied at `strength`; SURE estimates need white noise, so they leave out swell and other coherent
 * noise below 12 Hz (removed in full).
 */
/** The strength check keeps a model's removal below this frequency in full (why 12 Hz: main/ml/sure.ts). */
export const STRENGTH_CHECK_LOW_CUT_HZ = 12;

export interface StrengthCheck {
  /** Estimated RMS of the white noise in the input, in the section's amplitude units. */
  noiseRms: number;
  /** Share of the model's change above the low cut that is applied, 0..1. */
  strength: number;
  /** SURE estimate of the result's mean squared error against the (unknown) clean section, per live sample. */
  estimatedMse: number;
  /** The same estimate for the model at full strength. */
  fullStrengthMse: number;
}

/** Shares of an interpolated trace taken from the model, POCS, linear and slope-steered interpolation (summing to 1). */
export interface BlendWeights {
  model: number;
  pocs: number;
  linear: number;
  /** Interpolation along the local slopes of the live traces (main/processing/slopeInterpolation.ts). */
  slope: number;
}

/**
 * Interpolation with a model: the blend check (main/ml/blendCheck.ts). Live traces are hidden in blocks shaped like
 * the section's own gaps; the model, POCS, linear and slope-steered interpolation and blends of them fill them back
 * in, and the blend that restores them best fills the real gaps.
 */
export interface BlendCheck {
  weights: BlendWeights;
  /** Live traces hidden for the check (0: too few to check; the model is then used as it is). */
  heldOutTraces: number;
  /** SNR (dB) of the chosen blend on the hidden traces, against what they held; null without a check. */
  heldOutSnrDb: number | null;
  /** The same for the model alone. */
  modelSnrDb: number | null;
}

/** "model 50 % + POCS 50 %": a blend's non-zero shares, as the CLI and the compare view say it. */
export function describeBlend(weights: BlendWeights): string {
  const parts: [string, number][] = [
    ['model', weights.model],
    ['POCS', weights.pocs],
    ['linear', weights.linear],
    ['slope-steered', weights.slope],
  ];
  return parts
    .filter(([, share]) => share > 0.005)
    .map(([name, share]) => `${name} ${Math.round(share * 100)} %`)
    .join(' + ');
}

/** QC figures of a reconstructed section (what the compare view shows next to the pictures). */
export interface ReconstructionQc {
  /** What produced the result: 'model <name>' or a classical method. */
  method: string;
  seconds: number;
  /** Denoise: RMS of the removed noise relative to the input's RMS. */
  removedRmsRatio: number | null;
  /**
   * Denoise: mean local coherence between the removed noise and the result (signal leakage); near 0 when the removed
   * part holds no signal.
   */
  signalLeakage: number | null;
  /** Interpolation: dead or missing traces filled. */
  tracesFilled: number | null;
  /** Interpolation self-check: SNR (dB) on live traces hidden from the method and reconstructed. */
  selfCheckSnrDb: number | null;
  /** Model denoising: the strength check (null at full strength, for classical methods and for interpolation). */
  strength: StrengthCheck | null;
  /** Model interpolation: the blend check (null for classical methods, ensembles and denoising). */
  blend: BlendCheck | null;
  /** Average amplitude spectra (input, result, difference) over `frequenciesHz`. */
  spectra: { frequenciesHz: Float32Array; input: Float32Array; result: Float32Array; difference: Float32Array };
  /** What the interpreter should know before trusting the result, in words (the compare view shows each). */
  warnings: string[];
}

/**
 * Signal leakage above this is worth a warning: removed noise unrelated to the result scores about 0 (a mean of signed
 * correlations); at 0.3 the removed part correlates with the result by 0.3 on average over windows about a wavelet
 * long, and the result's events show in the difference panel.
 */
export const SIGNAL_LEAKAGE_WARNING = 0.3;

/** `section.result`: the panels of a finished reconstruction, all of the same shape as `input`. */
export interface ReconstructionResult {
  jobId: string;
  task: 'denoise' | 'interpolate';
  input: SectionData;
  result: Float32Array;
  /** input - result: the removed noise (denoise) or the filled traces (interpolation). */
  difference: Float32Array;
  /** Monte Carlo dropout standard deviation (ensembles only). */
  uncertainty: Float32Array | null;
  qc: ReconstructionQc;
}

export type VolumeState = 'running' | 'ready' | 'failed' | 'interrupted';

/** A derived volume of a survey (a reconstruction applied to whole inlines), with its lineage. */
export interface VolumeSummary {
  id: string;
  surveyId: string;
  name: string;
  task: 'denoise' | 'interpolate';
  /** The volume it was applied on top of (null: on the survey itself). */
  parentVolumeId: string | null;
  /** A registered or bundled model id, or null for a classical method. */
  modelId: string | null;
  /** What produced it: 'model <name>' or a classical method. */
  method: string;
  params: {
    inlines: [number, number];
    polygon: [number, number][] | null;
    tta: boolean;
    ensemble: number;
    /** Model denoising applied without the strength check (false: each inline at its checked strength). */
    fullStrength: boolean;
  };
  state: VolumeState;
  completedLines: number;
  totalLines: number;
  /** True when a Monte Carlo dropout standard-deviation volume was kept (ensembles). */
  hasUncertainty: boolean;
  /** The job that writes it (the latest one when it was resumed). */
  jobId: string | null;
  createdAt: string;
}

/** `survey.inspect`: the file's headers and the proposed header map (from a sample of trace headers). */
export interface SegyInspection {
  file: SegyFileInfo;
  headerMap: HeaderMapProposalInfo;
}

export interface DirectoryListing {
  /** The listed folder (absolute). */
  dir: string;
  /** Its parent when that is still inside an allowed root, else null. */
  parent: string | null;
  roots: string[];
  entries: { name: string; path: string; kind: 'dir' | 'segy' | 'file'; size: number }[];
}

/** A database file the app found damaged at start or when opening a project (see system.moveDamagedAside). */
export interface DamagedFile {
  file: string;
  kind: 'app' | 'project';
  message: string;
}

/** Commands the native menu sends to the renderer. */
export type MenuCommand = 'open-segy' | 'open-project' | 'export' | 'about' | 'show-system' | 'show-jobs';

// ---------------------------------------------------------------------------------------------------------------------
// Passive recordings: recording sets (folders of miniSEED files), their waveforms and spectrograms
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Times of recordings cross the bridge as milliseconds since 1970 (UTC) in a double: 0.4 microseconds of resolution
 * in this century, finer than any sample interval the views draw; the UTC strings keep the recorded nanoseconds.
 */
export interface RecordingGapInfo {
  /** Last sample before the gap and first sample after it. */
  afterMs: number;
  beforeMs: number;
  /** Missing time; negative for an overlap (time recorded twice). */
  durationMs: number;
}

export interface RecordingChannelInfo {
  /** FDSN source identifier, e.g. FDSN:IU_COLA_00_L_H_Z: how the API names a channel. */
  sourceId: string;
  /** NET.STA.LOC.CHA */
  name: string;
  network: string;
  station: string;
  location: string;
  channel: string;
  sampleRate: number;
  sampleType: 'int32' | 'float32' | 'float64';
  sampleCount: number;
  /** First sample and last sample. */
  startMs: number;
  endMs: number;
  startUtc: string;
  endUtc: string;
  gaps: RecordingGapInfo[];
}

/** A record the reader could not use (or used with a warning): which file, which record, where in the file. */
export interface RecordingProblem {
  file: string;
  /** Number of the record in its file, from 1. */
  record: number;
  /** Byte offset of the record in its file. */
  offset: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface RecordingFileInfo {
  path: string;
  size: number;
  /** False for files of the folder that hold no miniSEED record (notes, logs): skipped. */
  isMseed: boolean;
  problems: RecordingProblem[];
}

export interface RecordingSetSummary {
  id: string;
  name: string;
  /** The imported folder (its files are never modified). */
  sourceDir: string;
  state: 'importing' | 'ready' | 'failed';
  /** In channel-name order; empty while importing. */
  channels: RecordingChannelInfo[];
  files: RecordingFileInfo[];
  createdAt: string;
}

/** A stretch of one channel reduced to at most one column per screen pixel: min and max of the samples of each column. */
export interface WaveformPiece {
  /** Time of the first column's first sample, and the time each column spans. */
  startMs: number;
  stepMs: number;
  /** Equal where a column holds one sample (zoomed in to the samples themselves). */
  min: Float32Array;
  max: Float32Array;
}

export interface WaveformTrace {
  sourceId: string;
  name: string;
  sampleRate: number;
  /** Samples behind each column (1: the samples themselves). */
  samplesPerColumn: number;
  /** In time order; the time between pieces is a gap in the recording. */
  pieces: WaveformPiece[];
}

export interface WaveformData {
  setId: string;
  startMs: number;
  endMs: number;
  traces: WaveformTrace[];
}

/** The STFT of a window of one channel, averaged over the segments of each column, in dB (10 log10 of counts^2/Hz). */
export interface RecordingSpectrogram {
  setId: string;
  sourceId: string;
  name: string;
  startMs: number;
  /** Time each column spans. */
  columnMs: number;
  columns: number;
  /** Hz, 0 to Nyquist. */
  frequencies: Float32Array;
  /** Column-major: decibels[c * frequencies.length + f]; NaN where a column holds no segment (a gap). */
  decibels: Float32Array;
  settings: { nperseg: number; noverlap: number; nfft: number };
}

/**
 * Epochs the spectrogram autoencoder trains for by default (`promethium detect`, the app's Find anomalies): what found
 * the earthquake in the test record (main/passive/anomaly/detection.test.ts).
 */
export const SPECTROGRAM_DETECTOR_EPOCHS = 20;

/**
 * A component group's windows ranked by anomaly score: the spectrogram autoencoder trained on the set's own recording,
 * each window's reconstruction error in robust standard deviations above the normal level (main/passive/anomaly).
 */
export interface RecordingAnomalies {
  setId: string;
  sourceIds: string[];
  /** NET.STA.LOC.CHA of each component. */
  channels: string[];
  /** Epochs the detector trained for. */
  epochs: number;
  createdAt: string;
  /** Every window, highest score first. */
  windows: { startMs: number; endMs: number; score: number }[];
}

/** One component of a reconstruction window: the autoencoder's spectrograms and the waveform before and after denoising. */
export interface ComponentReconstructionWindow {
  sourceId: string;
  /** NET.STA.LOC.CHA */
  name: string;
  /** The recorded spectrogram, the autoencoder's output and output - input, in dB, columns as recordings.spectrogram. */
  input: RecordingSpectrogram;
  output: RecordingSpectrogram;
  difference: RecordingSpectrogram;
  /** Mean squared (dB^2) and mean absolute (dB) difference over every frame and bin of the window. */
  mse: number;
  mae: number;
  /** The recorded samples and the denoised ones (mask from the reconstruction, inverse STFT), min/max columns. */
  original: WaveformTrace;
  denoised: WaveformTrace;
}

/**
 * The spectrogram autoencoder of a component group (trained by Find anomalies) run over a window: the reconstruction
 * view (input / output / difference) and the spectrogram denoising before and after (main/passive/denoise).
 */
export interface RecordingReconstruction {
  setId: string;
  sourceIds: string[];
  /** The window the components share (their gap-free span inside the asked window). */
  startMs: number;
  endMs: number;
  /** Epochs the detector trained for. */
  epochs: number;
  components: ComponentReconstructionWindow[];
}

/**
 * A velocity model built from a pre-stack survey's shots (velocity.build): the ensemble's map, its spread, the
 * semblance + Dix map of the same shots, and the shots modelled over the map beside the input (the data residual).
 * Maps are [z][x] in m/s on the network's grid: `cells` x `cells` at `spacingM`, depth down from the surface, distance
 * along the survey's line from its first receiver.
 */
export interface VelocityBuild {
  surveyId: string;
  model: { id: string; name: string };
  builtAt: string;
  cells: number;
  spacingM: number;
  /** The survey's line: distance 0 at (originX, originY), projected metres; azimuth from north, degrees. */
  line: { originX: number; originY: number; azimuthDeg: number };
  /** How much later than the survey's time zero the shots were placed on the network's axis, ms (MAX_SOURCE_DELAY_MS). */
  sourceDelayMs: number;
  velocity: Float32Array;
  /** Standard deviation over the ensemble's members and the test-time augmentations. */
  spread: Float32Array;
  baseline: Float32Array;
  /** Input and modelled shots in the network's layout [shot][time][receiver]; receivers every spacingM from 0. */
  shots: {
    count: number;
    samples: number;
    receivers: number;
    sampleIntervalMs: number;
    sourcePositionsM: number[];
    input: Float32Array;
    modelled: Float32Array;
  };
  /** The least-squares factor that scaled the modelled shots to the input, and the residual's RMS over the input's. */
  modelledScale: number;
  relativeResidual: number;
  /** Maps that went into the mean and the spread: members x augmentations. */
  augmentedMaps: number;
  /** What the mapping onto the network's layout left out or filled in. */
  notes: string[];
  seconds: { read: number; predict: number; baseline: number; modelling: number; total: number };
}

// ---------------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------------

export type ApiErrorCode =
  | 'invalid-argument'
  | 'unknown-method'
  | 'not-found'
  | 'unavailable'
  | 'segy-format'
  | 'io'
  | 'cancelled'
  | 'compute-crashed'
  /**
   * A stored file the app cannot read: a database SQLite cannot read (system.damagedFiles offers to move it aside) or
   * a damaged velocity build; the message names it.
   */
  | 'damaged-file'
  /** A write to a project opened read-only. */
  | 'read-only'
  | 'internal';

export interface ApiErrorShape {
  code: ApiErrorCode;
  message: string;
}

/** The error every API call rejects with, on both hosts: a code to branch on and a message a user can read. */
export class PromethiumError extends Error implements ApiErrorShape {
  override readonly name = 'PromethiumError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }

  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message };
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Jobs: every long call is one of these requests, run in the compute process
// ---------------------------------------------------------------------------------------------------------------------

const headerByte = z.number().int().min(1).max(237);
export const headerMapOverrideSchema = z
  .object({
    inline: headerByte,
    crossline: headerByte,
    offset: headerByte,
    cdpX: headerByte,
    cdpY: headerByte,
    coordinateScalar: headerByte,
  })
  .partial()
  .strict();

/** A seed of a generator or a training: the same seed gives the same result. */
const seedSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

/** A training's schedule, as the trainer bounds it. */
const trainingEpochs = z.number().int().min(1).max(10000);
const trainingBatchSize = z.number().int().min(1).max(256);
const trainingPatch = z.number().int().min(16).max(1024);
const trainingLearningRate = z.number().positive().max(1);

/** The only job the renderer may start directly: the others carry paths, so main builds them (survey.import...). */
export const selfTestJobSchema = z.object({
  kind: z.literal('synthetic-stats'),
  /** Size of the synthetic volume: inlines x crosslines x samples. */
  inlines: z.number().int().min(1).max(2000),
  crosslines: z.number().int().min(1).max(2000),
  samples: z.number().int().min(1).max(10000),
  seed: seedSchema.default(1),
});

/** A Slurm name (partition, account): letters, digits and . _ - only, so it can never break out of a batch script. */
const slurmName = z.string().regex(/^[\w.-]*$/, 'letters, digits, ".", "_" and "-" only');

/** The project's cluster settings: where and how its jobs run on the user's Slurm cluster. */
export const clusterSettingsSchema = z.object({
  /** Empty: the cluster's default partition. */
  partition: slurmName.default(''),
  account: slurmName.default(''),
  /** Slurm's time format (minutes, MM:SS, HH:MM:SS, D-HH:MM:SS); empty: the partition's default. */
  timeLimit: z
    .string()
    .regex(/^(\d+-)?\d+(:\d+){0,2}$|^$/, 'a Slurm time such as 90, 02:00:00 or 1-00:00:00')
    .default(''),
  gpusPerTask: z.number().int().min(0).max(16).default(0),
  cpusPerTask: z.number().int().min(1).max(512).default(1),
  /** Memory per task in Slurm's format (4000M, 16G); empty: the partition's default (often a share of a node's). */
  memoryPerTask: z
    .string()
    .regex(/^(\d+[KMGT]?)?$/, 'a Slurm memory size such as 4000M or 16G')
    .default(''),
  /** How many array tasks an apply is split into (fewer when the survey has fewer inlines). */
  tasks: z.number().int().min(1).max(10_000).default(8),
  /**
   * The command that starts Promethium on the nodes (e.g. "/opt/promethium/bin/promethium"); empty: this
   * installation's own, which works where the nodes see the same file system.
   */
  command: z.string().max(4096).default(''),
});
export type ClusterSettings = z.infer<typeof clusterSettingsSchema>;

/** A Slurm job's or array task's state, folded to what the jobs panel shows. */
export type ClusterTaskState = 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'unknown';

export interface ClusterTaskStatus {
  index: number;
  /** Inline indices [first, last] of this task. */
  slice: [number, number];
  /** The Slurm id of its latest submission (`1234_5`). */
  slurmId: string;
  state: ClusterTaskState;
  /** Slurm's own word (PENDING, RUNNING, COMPLETED, FAILED, PREEMPTED, ...). */
  slurmState: string;
  /** Inlines of its slice written so far. */
  finishedInlines: number;
  inlines: number;
}

/** An apply sent to the cluster: its tasks, and the final job that finishes the volume. */
export interface ClusterJobStatus {
  volumeId: string;
  tasks: ClusterTaskStatus[];
  finish: { slurmId: string; state: ClusterTaskState; slurmState: string };
  finishedInlines: number;
  totalInlines: number;
}

/** A SEG-Y import sent to the cluster: the Slurm jobs of each stage of the chain that runs now, and what is done. */
export interface ClusterImportStatus {
  surveyId: string;
  /** scan (one job per array task), layout, fill (one per array task), finish. */
  stages: {
    stage: 'scan' | 'layout' | 'fill' | 'finish';
    jobs: { slurmId: string; state: ClusterTaskState; slurmState: string }[];
  }[];
  /** Pieces of whole traces whose header keys are scanned. */
  scanPieces: { done: number; total: number };
  /** Blocks of inlines written to the survey cache; null until the layout job has cut them. */
  fillBlocks: { done: number; total: number } | null;
}

export interface ClusterCheck {
  ok: boolean;
  items: { what: string; ok: boolean; detail: string }[];
}

/** How a job reconstructs: the task, and a model folder (with its name for reports) or a classical method. */
const reconstructionChoiceSchema = z.object({
  task: z.enum(['denoise', 'interpolate']),
  model: z.object({ dir: z.string(), name: z.string() }).nullable(),
  method: z.enum(['fx', 'median', 'fk', 'pocs', 'linear', 'slope']).nullable(),
  tta: z.boolean(),
  ensemble: z.number().int().min(1).max(32),
  /** Model denoising without the strength check (sure.ts). */
  fullStrength: z.boolean(),
});

/** A reconstruction applied to a whole survey, inline by inline, into a derived volume. */
export const applyVolumeRequestSchema = z.object({
  kind: z.literal('apply-volume'),
  volumeId: z.string(),
  surveyId: z.string(),
  /** For the job's title: the jobs panel tells jobs of two surveys apart (absent from requests stored before it). */
  surveyName: z.string().optional(),
  /** The input: the survey's cache, or the derived volume this one is applied on top of. */
  inputDir: z.string(),
  /** The derived volume's Zarr group; inline chunks already there are finished lines (a resumed job skips them). */
  volumeDir: z.string(),
  ...reconstructionChoiceSchema.shape,
  /** Inline indices [first, last] to reconstruct; the other inlines are copied unchanged. */
  inlines: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
  /** Only cells inside this polygon of (inline index, crossline index) vertices are replaced. */
  polygon: z.array(z.tuple([z.number(), z.number()])).nullable(),
});

/** A training (or fine-tuning) job: what the compute process's trainer needs, paths included. */
export const trainModelRequestSchema = z.object({
  kind: z.literal('train-model'),
  name: z.string(),
  task: z.enum(['denoise', 'interpolate']),
  /** The model config as data (architecture + params), resolved from a bundled config name in main. */
  config: z.unknown(),
  /**
   * The surveys to train on: the lines of their cube caches (3D inlines, a 2D line), or for surveys imported as
   * gathers (pre-stack, unstructured) the gathers, read from `sourcePath` through the gather index in `cacheDir`.
   */
  sources: z.array(z.object({ surveyId: z.string(), cacheDir: z.string(), sourcePath: z.string().optional() })).min(1),
  epochs: trainingEpochs,
  batchSize: trainingBatchSize,
  patch: trainingPatch,
  learningRate: trainingLearningRate,
  timeBudgetSeconds: z.number().positive().optional(),
  /**
   * How training pairs are made: 'synthetic' (noise added to, or live traces hidden from, the data; the default),
   * 'blind-spot' (denoisers on noisy field data: no noise added, the loss only at a few samples hidden from the model)
   * or 'recorrupted' (fine-tuning denoisers on noisy field data: white noise added to the input, subtracted from the
   * target; what models.adapt uses).
   */
  corruption: z.enum(TRAINING_CORRUPTIONS).optional(),
  /** Fine-tuning: the folder of the model to start from, and its id (the new model's parent). */
  initialModelDir: z.string().optional(),
  parentId: z.string().nullable(),
  checkpointDir: z.string(),
  resume: z.boolean(),
  /** The run's seed (starting weights, shuffles, corruption); 1 when absent. Ensemble members differ by it. */
  seed: seedSchema.optional(),
});

export type TrainModelRequest = z.infer<typeof trainModelRequestSchema>;

export const jobRequestSchema = z.discriminatedUnion('kind', [
  selfTestJobSchema,
  trainModelRequestSchema,
  z.object({
    kind: z.literal('reconstruct-section'),
    surveyId: z.string(),
    /** For the job's title: the jobs panel tells jobs of two surveys apart. */
    surveyName: z.string(),
    cacheDir: z.string(),
    label: z.string(),
    axis: z.enum(['inline', 'crossline']),
    index: z.number().int().min(0),
    /** What the section's traces are called on screen (sectionTraceAxisName): crossline, inline, CDP or trace. */
    traceAxisName: z.string(),
    ...reconstructionChoiceSchema.shape,
  }),
  applyVolumeRequestSchema,
  /** One cluster task's share of an apply: only these inline indices, beside other tasks (main/cluster). */
  z.object({
    kind: z.literal('apply-volume-slice'),
    apply: applyVolumeRequestSchema,
    slice: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
  }),
  /** The last step of a cluster apply, after every task: the 3D view's downsampled volume and the filled mask. */
  z.object({ kind: z.literal('finish-volume'), apply: applyVolumeRequestSchema }),
  z.object({
    kind: z.literal('export-volume'),
    volumeId: z.string(),
    volumeDir: z.string(),
    /** The survey's cache (its live mask tells which source traces were dead) and source SEG-Y (the header template). */
    surveyCacheDir: z.string(),
    sourcePath: z.string(),
    headerMap: z.object({
      inline: z.number(),
      crossline: z.number(),
      offset: z.number(),
      cdpX: z.number(),
      cdpY: z.number(),
      coordinateScalar: z.number(),
    }),
    path: z.string(),
    format: z.enum(['source', 'ieee']),
    /** Write the Monte Carlo dropout standard deviation instead of the reconstruction. */
    uncertainty: z.boolean(),
    history: z.string(),
  }),
  /** The spectrogram autoencoder trained on components of a recording set, its windows ranked by anomaly score. */
  z.object({
    kind: z.literal('detect-anomalies'),
    setId: z.string(),
    setName: z.string(),
    cacheDir: z.string(),
    sourceIds: z.array(z.string()).min(1),
    epochs: z.number().int().min(1).max(1000),
  }),
  /** The spectrogram autoencoder of a component group run over a window of the set: reconstruction and denoising. */
  z.object({
    kind: z.literal('reconstruct-recording'),
    setId: z.string(),
    setName: z.string(),
    cacheDir: z.string(),
    sourceIds: z.array(z.string()).min(1),
    startMs: z.number().finite(),
    endMs: z.number().finite(),
    columns: z.number().int().min(16).max(1024),
  }),
  /** A folder of miniSEED files decoded into one recording set's cache (main/passive/recordingCache.ts). */
  z.object({
    kind: z.literal('import-recordings'),
    setId: z.string(),
    dir: z.string(),
    cacheDir: z.string(),
  }),
  /** A velocity model built from a pre-stack survey's shots (main/velocity/velocityBuild.ts). */
  z.object({
    kind: z.literal('velocity-build'),
    surveyId: z.string(),
    surveyName: z.string(),
    sourcePath: z.string(),
    model: z.object({ id: z.string(), name: z.string(), dir: z.string() }),
    sourceDelayMs: z.number(),
    resultDir: z.string(),
  }),
  z.object({
    kind: z.literal('import-survey'),
    surveyId: z.string(),
    path: z.string(),
    cacheDir: z.string(),
    headerMap: headerMapOverrideSchema.optional(),
  }),
]);
export type JobRequest = z.infer<typeof jobRequestSchema>;
export type ApplyVolumeRequest = z.infer<typeof applyVolumeRequestSchema>;

export interface AmplitudeStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  rms: number;
  /** 99th percentile of |amplitude|, the usual display clip. */
  p99Abs: number;
}

// ---------------------------------------------------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------------------------------------------------

/** A method: its argument tuple schema and (phantom) result type. */
export interface MethodSpec<A extends z.ZodTuple, R> {
  args: A;
  result?: R;
}
const returns = <R>(): R | undefined => undefined;
const call = <A extends z.ZodTuple, R>(args: A, _result: R | undefined): MethodSpec<A, R> => ({ args });
const noArgs = z.tuple([]);

/** What a path argument is for: the hosts check each one against what the user may reach (main/api/pathFence.ts). */
export type PathAccess = 'read' | 'write';
/** The path arguments of the contract, marked here once; the dispatcher finds them by walking the schemas. */
export const pathArguments = z.registry<{ access: PathAccess }>();
const pathText = (what: string) => z.string().min(1, `${what} is required`).max(4096);
/** A file or folder the call reads (or opens): it must exist. */
const readPath = (what = 'a file path') => pathText(what).register(pathArguments, { access: 'read' });
/** A file or folder the call creates or replaces: its folder must exist. */
const writePath = (what = 'a file path') => pathText(what).register(pathArguments, { access: 'write' });
const modelId = z.string().regex(/^[a-z0-9][a-z0-9._-]{2,80}$/, 'a model id is required');
const surveyId = z.string().regex(/^[0-9a-f-]{8,64}$/, 'a survey id is required');
const volumeId = z.string().regex(/^[0-9a-f-]{8,64}$/, 'a volume id is required');

/** What to train (models.train): a name, the task, the surveys, the architecture (or a base model) and the schedule. */
export const trainInputSchema = z.object({
  name: z.string().trim().min(1).max(120),
  task: z.enum(['denoise', 'interpolate']),
  surveyIds: z.array(surveyId).min(1).max(64),
  /** A bundled config by name (models.configs lists them). */
  config: z.string().min(1).max(200).default('unet-small'),
  /** A config file of one's own in place of `config`: a path inside the data folders, like any file the API reads. */
  configFile: readPath().optional(),
  baseModelId: modelId.optional(),
  epochs: trainingEpochs.default(20),
  batchSize: trainingBatchSize.default(8),
  patch: trainingPatch.default(128),
  learningRate: trainingLearningRate.default(1e-3),
  timeBudgetSeconds: z
    .number()
    .positive()
    .max(7 * 24 * 3600)
    .optional(),
});

/**
 * One configuration of a sweep: what it changes of the training it belongs to. `params` are merged into the model
 * config's params (e.g. { features: [8, 16], dropout: 0 }) and checked against its architecture.
 */
export const trainingSweepEntrySchema = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    seed: seedSchema.optional(),
    config: z.string().min(1).max(200).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    epochs: trainingEpochs.optional(),
    batchSize: trainingBatchSize.optional(),
    patch: trainingPatch.optional(),
    learningRate: trainingLearningRate.optional(),
  })
  .strict();
export type TrainingSweepEntry = z.infer<typeof trainingSweepEntrySchema>;

/** A training handed to the cluster: one array task per model, an ensemble of seeds or a sweep of configurations. */
export const clusterTrainInputSchema = trainInputSchema
  .extend({
    /** Models trained alike but for their seeds (1, 2, ...): one task each. */
    ensemble: z.number().int().min(1).max(64).default(1),
    /** Configurations, one task each, in place of an ensemble. */
    sweep: z.array(trainingSweepEntrySchema).min(1).max(1000).optional(),
  })
  .refine((input) => input.sweep === undefined || input.ensemble === 1, {
    message: 'a training is an ensemble or a sweep, not both',
  });
export type ClusterTrainInput = z.infer<typeof clusterTrainInputSchema>;

/** One model of a training on the cluster: its array task and the epochs its checkpoint holds. */
export interface ClusterTrainingTaskStatus {
  index: number;
  /** The model's name in the registry once trained. */
  name: string;
  seed: number;
  slurmId: string;
  state: ClusterTaskState;
  slurmState: string;
  /** Epochs completed (from the task's checkpoint), out of `epochs` (fewer when early stopping ended it). */
  epoch: number;
  epochs: number;
  /** The task has written its trained model. */
  trained: boolean;
}

/** A training sent to the cluster: its tasks, and the final job that registers the models. */
export interface ClusterTrainingStatus {
  trainingId: string;
  name: string;
  kind: 'ensemble' | 'sweep';
  tasks: ClusterTrainingTaskStatus[];
  finish: { slurmId: string; state: ClusterTaskState; slurmState: string };
  /** The registered models, in task order (empty until the final job ran). */
  modelIds: string[];
}

/** What to apply to a whole survey (volumes.apply, cluster.apply). */
const applyVolumeInputSchema = z.object({
  surveyId,
  task: z.enum(['denoise', 'interpolate']),
  /** A model (bundled or trained); without it, `method` (default: the bundled model of the task). */
  modelId: modelId.optional(),
  method: z.enum(['fx', 'median', 'fk', 'pocs', 'linear', 'slope']).optional(),
  tta: z.boolean().default(false),
  ensemble: z.number().int().min(1).max(32).default(1),
  /** Model denoising: skip the strength check and apply the model in full (default: checked). */
  fullStrength: z.boolean().default(false),
  /** Apply on top of this derived volume of the same survey instead of the survey itself. */
  parentVolumeId: volumeId.optional(),
  /** Inline indices [first, last] (default: all). */
  inlines: z.tuple([z.number().int().min(0), z.number().int().min(0)]).optional(),
  /** Only cells inside this (inline index, crossline index) polygon are replaced; the others keep the input. */
  polygon: z
    .array(z.tuple([z.number().finite(), z.number().finite()]))
    .min(3)
    .max(10_000)
    .optional(),
  name: z.string().trim().min(1).max(200).optional(),
});
const recordingSetId = z.string().regex(/^[0-9a-f-]{8,64}$/, 'a recording set id is required');
const sourceId = z.string().regex(/^FDSN:[\w-]+$/, 'a channel (FDSN source id) is required');
/** The longest window one waveform or spectrogram call reads: two days, so that a call stays a bounded read. */
export const MAX_RECORDING_WINDOW_MS = 2 * 86_400_000;
/** A window of a recording in ms since 1970 (UTC). */
const timeWindow = {
  startMs: z.number().finite(),
  endMs: z.number().finite(),
};
const windowIsValid = (window: { startMs: number; endMs: number }) =>
  window.endMs > window.startMs && window.endMs - window.startMs <= MAX_RECORDING_WINDOW_MS;
const windowProblem = { message: 'a window ends after it starts and spans two days at most' };
/**
 * The longest window a reconstruction runs the autoencoder over: six hours (2,160,000 samples per component at 100 Hz,
 * about a minute of the compute process on a CPU), a bounded job like the views' bounded reads.
 */
export const MAX_RECONSTRUCTION_WINDOW_MS = 6 * 3_600_000;
const reconstructionWindowIsValid = (window: { startMs: number; endMs: number }) =>
  window.endMs > window.startMs && window.endMs - window.startMs <= MAX_RECONSTRUCTION_WINDOW_MS;
const reconstructionWindowProblem = {
  message: 'a reconstruction window ends after it starts and spans six hours at most',
};
const jobId = z.string().regex(/^[0-9a-f-]{8,64}$/, 'a job id (hex) is required');
/** What survey.import and cluster.importSurvey take: the file, a name, the header positions the user fixed. */
const surveyImportRequestSchema = z.object({
  path: readPath(),
  name: z.string().max(200).optional(),
  headerMap: headerMapOverrideSchema.optional(),
});

export const apiContract = {
  project: {
    current: call(noArgs, returns<ProjectInfo>()),
    open: call(z.tuple([readPath('a project folder path')]), returns<ProjectInfo>()),
    create: call(z.tuple([writePath('a project folder path')]), returns<ProjectInfo>()),
    recent: call(noArgs, returns<RecentProject[]>()),
  },
  files: {
    /** The browser mode's file picker: lists a folder inside the allowed data roots (the first root when omitted). */
    list: call(z.tuple([readPath('a folder path').optional()]), returns<DirectoryListing>()),
  },
  survey: {
    /** Reads a SEG-Y file's headers and proposes a header map, without importing it. */
    inspect: call(z.tuple([readPath(), headerMapOverrideSchema.optional()]), returns<SegyInspection>()),
    /** Imports a SEG-Y file into the project (a job: scan and cache); the survey appears as 'importing'. */
    import: call(z.tuple([surveyImportRequestSchema]), returns<{ survey: SurveySummary; job: JobInfo }>()),
    list: call(noArgs, returns<SurveySummary[]>()),
    get: call(z.tuple([surveyId]), returns<SurveySummary>()),
    /** The inline x crossline live-trace mask of a 3D survey (1 = a trace is there), for the base map and slices. */
    liveMask: call(z.tuple([surveyId]), returns<{ inlines: number; crosslines: number; mask: Uint8Array }>()),
    /** The downsampled volume (mean of live traces in factor^3 boxes) for the 3D view. */
    lod: call(z.tuple([surveyId]), returns<{ data: Float32Array; shape: [number, number, number]; factor: number }>()),
    /** The LOD volume box-meaned again to at most about 128^3 values, for the 3D view's volume rendering. */
    lodCube: call(
      z.tuple([surveyId]),
      returns<{ data: Float32Array; shape: [number, number, number]; factor: number }>(),
    ),
    /** Removes the survey and its cache from the project; the SEG-Y file itself is never touched. */
    remove: call(z.tuple([surveyId]), returns<void>()),
    /**
     * Declares the survey's vertical axis (time in ms, depth in m or ft) when the headers' guess is wrong: saved with
     * the survey; sections, slices and labels read it from then on.
     */
    setVerticalAxis: call(
      z.tuple([
        z
          .object({ surveyId, domain: z.enum(['time', 'depth']), unit: z.enum(['ms', 'm', 'ft']) })
          .refine((axis) => (axis.domain === 'time') === (axis.unit === 'ms'), {
            message: 'time is measured in ms, depth in m or ft',
          }),
      ]),
      returns<SurveySummary>(),
    ),
    /** The survey's saved display settings, or null before any were saved. */
    display: call(z.tuple([surveyId]), returns<DisplaySettings | null>()),
    setDisplay: call(z.tuple([surveyId, displaySettingsSchema]), returns<void>()),
  },
  /** Passive recordings: folders of miniSEED files imported as recording sets, their waveforms and spectrograms. */
  recordings: {
    /** Imports a folder of miniSEED files (and the folders below it) as one recording set (a job decoding them once). */
    import: call(
      z.tuple([z.object({ dir: readPath('a folder path'), name: z.string().trim().min(1).max(200).optional() })]),
      returns<{ recordingSet: RecordingSetSummary; job: JobInfo }>(),
    ),
    list: call(noArgs, returns<RecordingSetSummary[]>()),
    get: call(z.tuple([recordingSetId]), returns<RecordingSetSummary>()),
    /** Removes the set and its cache from the project; the miniSEED files are never touched. */
    remove: call(z.tuple([recordingSetId]), returns<void>()),
    /** Channels of a time window, min/max-decimated to `columns`, optionally detrended and bandpassed first. */
    waveform: call(
      z.tuple([
        z
          .object({
            setId: recordingSetId,
            sourceIds: z.array(sourceId).min(1).max(12),
            ...timeWindow,
            columns: z.number().int().min(16).max(8192),
            detrend: z.boolean().default(false),
            /** Zero-phase Butterworth band in Hz [low, high] (0 for no low cut). */
            bandpass: z
              .tuple([z.number().finite().min(0), z.number().finite().positive()])
              .refine(([low, high]) => low < high, { message: 'the low corner must be below the high corner' })
              .nullable()
              .default(null),
          })
          .refine(windowIsValid, windowProblem),
      ]),
      returns<WaveformData>(),
    ),
    /**
     * Trains the spectrogram autoencoder on these components of the set (one instrument of one station) and ranks
     * their windows by anomaly score: a job; recordings.anomalies reads the ranking when it is done.
     */
    detect: call(
      z.tuple([
        z.object({
          setId: recordingSetId,
          sourceIds: z.array(sourceId).min(1).max(6),
          epochs: z.number().int().min(1).max(1000).default(SPECTROGRAM_DETECTOR_EPOCHS),
        }),
      ]),
      returns<JobInfo>(),
    ),
    /** The latest ranking of these components' windows, or null before the first detection. */
    anomalies: call(
      z.tuple([z.object({ setId: recordingSetId, sourceIds: z.array(sourceId).min(1).max(6) })]),
      returns<RecordingAnomalies | null>(),
    ),
    /**
     * Runs the detector Find anomalies trained on these components over a window (a job): the reconstruction view and
     * the denoised waveforms; recordings.reconstruction reads them when it is done.
     */
    reconstruct: call(
      z.tuple([
        z
          .object({
            setId: recordingSetId,
            sourceIds: z.array(sourceId).min(1).max(6),
            ...timeWindow,
            /** At most 1024: the job keeps nine spectrograms of this width in the set's cache folder. */
            columns: z.number().int().min(16).max(1024),
          })
          .refine(reconstructionWindowIsValid, reconstructionWindowProblem),
      ]),
      returns<JobInfo>(),
    ),
    /** The latest reconstruction of these components, or null before the first. */
    reconstruction: call(
      z.tuple([z.object({ setId: recordingSetId, sourceIds: z.array(sourceId).min(1).max(6) })]),
      returns<RecordingReconstruction | null>(),
    ),
    /** The spectrogram of a window of one channel (nperseg 256, noverlap 192, nfft 256), at most `columns` wide. */
    spectrogram: call(
      z.tuple([
        z
          .object({ setId: recordingSetId, sourceId, ...timeWindow, columns: z.number().int().min(16).max(4096) })
          .refine(windowIsValid, windowProblem),
      ]),
      returns<RecordingSpectrogram>(),
    ),
  },
  section: {
    get: call(
      z.tuple([
        z.object({
          surveyId,
          axis: z.enum(['inline', 'crossline', 'time']),
          index: z.number().int().min(0),
        }),
      ]),
      returns<SectionData>(),
    ),
    /** The section along a polyline of (inline index, crossline index) points through a 3D survey. */
    arbitrary: call(
      z.tuple([
        z.object({
          surveyId,
          points: z
            .array(z.tuple([z.number().finite().min(0), z.number().finite().min(0)]))
            .min(2, 'an arbitrary line needs at least two points')
            .max(100),
        }),
      ]),
      returns<ArbitraryLineData>(),
    ),
    /** The full trace header of one trace: by grid cell (inline index, crossline index) or by gather and trace. */
    traceHeader: call(
      z.tuple([
        z.union([
          z.object({ surveyId, cell: z.tuple([z.number().int().min(0), z.number().int().min(0)]) }),
          z.object({ surveyId, gather: z.number().int().min(0), trace: z.number().int().min(0) }),
        ]),
      ]),
      returns<TraceHeaderData>(),
    ),
  },
  /** One-click reconstruction of the shown line (a job in the compute process), then its panels for the compare view. */
  reconstruct: {
    section: call(
      z.tuple([
        z.object({
          surveyId,
          axis: z.enum(['inline', 'crossline']),
          index: z.number().int().min(0),
          task: z.enum(['denoise', 'interpolate']),
          /** A model (bundled or trained); without it, `method` (default: the bundled model of the task). */
          modelId: modelId.optional(),
          method: z.enum(['fx', 'median', 'fk', 'pocs', 'linear', 'slope']).optional(),
          tta: z.boolean().default(false),
          ensemble: z.number().int().min(1).max(32).default(1),
          /** Model denoising: skip the strength check and apply the model in full (default: checked). */
          fullStrength: z.boolean().default(false),
        }),
      ]),
      returns<JobInfo>(),
    ),
    /** The panels of a finished 'reconstruct-section' job (kept in memory for the last few jobs). */
    result: call(z.tuple([jobId]), returns<ReconstructionResult>()),
  },
  /** Reconstructions applied to whole surveys (derived volumes in the project), and their export to SEG-Y. */
  volumes: {
    /** Applies denoising or interpolation to a survey (or to a derived volume): a resumable job writing a new volume. */
    apply: call(z.tuple([applyVolumeInputSchema]), returns<{ volume: VolumeSummary; job: JobInfo }>()),
    list: call(z.tuple([surveyId.optional()]), returns<VolumeSummary[]>()),
    get: call(z.tuple([volumeId]), returns<VolumeSummary>()),
    /** Deletes the volume's files and record (refused while its job runs). */
    remove: call(z.tuple([volumeId]), returns<void>()),
    /** A section of the derived volume, for the compare view (same shape as `section.get` of its survey). */
    section: call(
      z.tuple([
        z.object({
          volumeId,
          axis: z.enum(['inline', 'crossline', 'time']),
          index: z.number().int().min(0),
          /** The Monte Carlo dropout standard deviation instead of the reconstruction. */
          uncertainty: z.boolean().default(false),
        }),
      ]),
      returns<SectionData>(),
    ),
    /** Writes the volume as SEG-Y with the survey's source file as header template (a job). */
    export: call(
      z.tuple([
        z.object({
          volumeId,
          path: writePath(),
          format: z.enum(['source', 'ieee']).default('source'),
          uncertainty: z.boolean().default(false),
        }),
      ]),
      returns<JobInfo>(),
    ),
  },
  gather: {
    get: call(z.tuple([z.object({ surveyId, index: z.number().int().min(0) })]), returns<SectionData>()),
  },
  /** Velocity model building from a pre-stack survey's shot gathers (the bundled or a registered velocity ensemble). */
  velocity: {
    /** Builds the survey's velocity model (a job); velocity.result reads it when done. Refuses shots it cannot map. */
    build: call(
      z.tuple([
        z.object({
          surveyId,
          modelId: modelId.optional(),
          /** Time from the survey's time zero to the source's start, ms (default 0: time zero at the source's start). */
          sourceDelayMs: z.number().min(0).max(MAX_SOURCE_DELAY_MS).optional(),
        }),
      ]),
      returns<JobInfo>(),
    ),
    /** The survey's latest velocity model, or null before the first build. */
    result: call(z.tuple([surveyId]), returns<VelocityBuild | null>()),
    /** Writes one map of the latest build as depth SEG-Y (IEEE float, one trace per column) or as .npy [1, 1, z, x]. */
    export: call(
      z.tuple([
        z.object({
          surveyId,
          map: z.enum(['velocity', 'spread', 'baseline']).default('velocity'),
          format: z.enum(['segy', 'npy']),
          path: writePath(),
        }),
      ]),
      returns<{ path: string; sizeBytes: number }>(),
    ),
  },
  models: {
    list: call(noArgs, returns<ModelSummary[]>()),
    get: call(z.tuple([modelId]), returns<ModelDetails>()),
    rename: call(z.tuple([modelId, z.string().trim().min(1).max(120)]), returns<ModelSummary>()),
    /** Deletes a trained or imported model (bundled models are read-only). */
    remove: call(z.tuple([modelId]), returns<void>()),
    /** The bundled model configs a training can start from (resources/configs). */
    configs: call(noArgs, returns<string[]>()),
    /**
     * "Adapt to this survey": self-supervised fine-tuning of a model on one survey — live traces are hidden (or noise
     * added) and the model learns to restore them — time-boxed, saved as a new model whose parent is the original.
     */
    adapt: call(
      z.tuple([
        z.object({
          modelId,
          surveyId,
          timeBudgetSeconds: z
            .number()
            .positive()
            .max(24 * 3600)
            .default(120),
        }),
      ]),
      returns<JobInfo>(),
    ),
    /** Trains (or, with baseModelId, fine-tunes) a model on surveys of the project: a job; the model registers when done. */
    train: call(z.tuple([trainInputSchema]), returns<JobInfo>()),
    /** Writes the model with its card as one archive (.pmodel, a tar file). */
    export: call(z.tuple([modelId, writePath()]), returns<{ path: string; sizeBytes: number }>()),
    import: call(z.tuple([readPath()]), returns<ModelSummary>()),
  },
  /** Applies handed to the project's Slurm cluster (array jobs; progress from the inlines the tasks wrote). */
  cluster: {
    settings: call(noArgs, returns<ClusterSettings>()),
    /**
     * The command the nodes run is not among them: it is set only from the command line (`promethium cluster
     * settings --command`), so a web page holding the token can never choose what runs on the cluster.
     */
    updateSettings: call(
      z.tuple([clusterSettingsSchema.omit({ command: true }).partial().strict()]),
      returns<ClusterSettings>(),
    ),
    /** What is missing to run there: Slurm commands, a node that sees the project, the same version. */
    check: call(noArgs, returns<ClusterCheck>()),
    /** volumes.apply, run as an array job on the cluster; `exportPath`: export the finished volume there too. */
    apply: call(
      z.tuple([applyVolumeInputSchema, z.object({ exportPath: writePath().optional() })]),
      returns<{ volume: VolumeSummary; status: ClusterJobStatus }>(),
    ),
    list: call(noArgs, returns<ClusterJobStatus[]>()),
    /** Resubmits the failed or cancelled tasks of a volume's cluster job; returns their indices. */
    resume: call(z.tuple([volumeId]), returns<number[]>()),
    cancel: call(z.tuple([volumeId]), returns<void>()),
    /** survey.import as a chain of Slurm jobs (scan tasks, layout, fill tasks, final job); the survey is 'importing'. */
    importSurvey: call(
      z.tuple([surveyImportRequestSchema]),
      returns<{ survey: SurveySummary; status: ClusterImportStatus }>(),
    ),
    imports: call(noArgs, returns<ClusterImportStatus[]>()),
    /** Submits the import's chain again; each stage continues after what its tasks recorded. */
    resumeImport: call(z.tuple([surveyId]), returns<void>()),
    cancelImport: call(z.tuple([surveyId]), returns<void>()),
    /** models.train as one array task per model (ensemble or sweep); the final job registers the models. */
    train: call(z.tuple([clusterTrainInputSchema]), returns<ClusterTrainingStatus>()),
    trainings: call(noArgs, returns<ClusterTrainingStatus[]>()),
    /** Resubmits the stopped tasks of a training (each resumes from its last checkpoint); returns their indices. */
    resumeTraining: call(z.tuple([z.string().uuid()]), returns<number[]>()),
    cancelTraining: call(z.tuple([z.string().uuid()]), returns<void>()),
  },
  jobs: {
    list: call(noArgs, returns<JobInfo[]>()),
    get: call(z.tuple([jobId]), returns<JobInfo>()),
    /** The compute self-test; other jobs start through their namespace (survey.import, models.train). */
    start: call(z.tuple([selfTestJobSchema]), returns<JobInfo>()),
    cancel: call(z.tuple([jobId]), returns<JobInfo>()),
    /** Starts a cancelled or interrupted job again from its last checkpoint (training, volume application). */
    resume: call(z.tuple([jobId]), returns<JobInfo>()),
  },
  system: {
    info: call(noArgs, returns<SystemInfo>()),
    /** Probes (or re-probes) the compute backend; starts the compute process if needed. */
    backend: call(noArgs, returns<BackendReport>()),
    showOpenDialog: call(
      z.tuple([
        z.object({
          title: z.string().max(200).optional(),
          kind: z.enum(['segy', 'project', 'model']),
        }),
      ]),
      returns<OpenDialogResult>(),
    ),
    /** Database files found damaged (at start, or when a project was opened); the app offers to move them aside. */
    damagedFiles: call(noArgs, returns<DamagedFile[]>()),
    /**
     * Renames a file of damagedFiles() to `<name>.damaged-<timestamp>` (nothing is deleted) and starts a fresh one in
     * its place: a fresh app.sqlite, or an empty project in the same folder. Not a fenced path: only a file the app
     * itself found damaged is accepted (app.sqlite may lie outside the data roots).
     */
    moveDamagedAside: call(z.tuple([pathText('a damaged file')]), returns<{ movedTo: string; project: ProjectInfo }>()),
  },
} as const;

export type ApiContract = typeof apiContract;
export type Namespace = keyof ApiContract;
export type MethodName<N extends Namespace> = keyof ApiContract[N] & string;

type SpecOf<N extends Namespace, M extends MethodName<N>> = ApiContract[N][M];
export type ArgsOf<N extends Namespace, M extends MethodName<N>> =
  SpecOf<N, M> extends MethodSpec<infer A, unknown> ? z.infer<A> : never;
export type ResultOf<N extends Namespace, M extends MethodName<N>> =
  SpecOf<N, M> extends MethodSpec<z.ZodTuple, infer R> ? R : never;

/** Typed events pushed from main to every renderer. */
export interface ApiEvents {
  'jobs.changed': JobInfo;
  'compute.status': ComputeStatus;
  'menu.command': MenuCommand;
  'surveys.changed': SurveySummary;
  'recordings.changed': RecordingSetSummary;
}
export type EventName = keyof ApiEvents;

/** What the renderer sees as `window.promethium`. */
export type Api = {
  [N in Namespace]: { [M in MethodName<N>]: (...args: ArgsOf<N, M>) => Promise<ResultOf<N, M>> };
} & {
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
};

/** Every "namespace.method" name, e.g. "jobs.start": the channel names on the wire. */
export function methodNames(): string[] {
  return Object.entries(apiContract).flatMap(([ns, methods]) => Object.keys(methods).map((m) => `${ns}.${m}`));
}

export function isEventName(name: string): name is EventName {
  return (
    name === 'jobs.changed' ||
    name === 'compute.status' ||
    name === 'menu.command' ||
    name === 'surveys.changed' ||
    name === 'recordings.changed'
  );
}
