/** The `promethium` command: the headless entry point (browser mode server, and later info/import/denoise/...). */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { DEFAULT_MODELS } from '../../preload/contract';
import { APP_VERSION } from '../api/handlers';
import { defaultProjectDir, defaultUserDataDir } from '../project/paths';
import { printBackend } from './backend';
import { asReadOnlyRefusal } from '../project/database';
import { EXIT, exitCodeFor } from './exitCodes';
import { registerModelCommands } from './modelCommands';
import { registerDetectCommand, runSpectrogramTraining } from './detectCommand';
import { spectrogramConfigPath } from '../passive/anomaly/training';
import { registerMseedCommands } from './mseedCommands';
import { registerRecordingCommands } from './recordingCommands';
import { registerMseedDenoiseCommand } from './mseedDenoiseCommand';
import { runTraining, type TrainCliOptions } from './trainCommand';
import { printQuality } from './qc';
import { runProcessing, type ProcessCliOptions } from './processCommands';
import { DEFAULT_ADAPT_SECONDS } from '../ml/adaptation/adaptedInterpolation';
import { runSynthCommand, SYNTH_DESCRIPTION, SYNTH_OPTIONS, type SynthCliOptions } from './synth';
import { dump, exportSurvey, importIntoProject, printInfo } from './segyCommands';
import { serve, type ServeOptions } from './serve';
import { registerVolumeCommands } from './volumeCommands';
import { registerClusterCommands } from './clusterCommands';
import { registerVelocityCommands } from './velocityCommands';
import { importOnCluster, type ClusterImportCliOptions } from './clusterImportCommands';
import { UsageError } from './usageError';

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is 0..65535');
  return port;
}

const program = new Command()
  .name('promethium')
  .description('Promethium seismic reconstruction workstation')
  .version(APP_VERSION)
  .showHelpAfterError()
  // Throw instead of exiting, so usage errors get exit code 2 below (subcommands inherit this).
  .exitOverride();

program
  .command('serve')
  .description('start the browser/remote mode: the app served over HTTP + WebSocket on loopback, with an access token')
  .option('-p, --port <port>', 'port to listen on (0 = any free port)', portNumber, 0)
  .option('--host <address>', 'address to bind; anything but loopback exposes the app to the network', '127.0.0.1')
  .option('--open', 'open the app in the system browser', false)
  .option('--project <dir>', 'project folder to open (default: the default project in the user-data folder)')
  .option('--demo', 'on first run, import the synthetic demo survey into the project', false)
  .option('--tls-cert <file>', 'PEM certificate: serve HTTPS (needed with a non-loopback --host, with --tls-key)')
  .option('--tls-key <file>', 'PEM private key of the certificate')
  .option('--insecure', 'serve plain HTTP on a non-loopback --host (the token crosses the network in clear)', false)
  .action(async (options: ServeOptions) => serve(options));

program
  .command('backend')
  .description(
    'probe the ML backends (tensorflow -> webgpu -> wasm -> cpu) and report the choice and every fallback reason',
  )
  .option('--json', 'print JSON')
  .action(async (options: { json?: boolean }) => printBackend(Boolean(options.json)));

program
  .command('info')
  .description('what a SEG-Y file holds: format, revision, byte order, text header, traces, geometry, header map')
  .argument('<file>', 'SEG-Y file')
  .option('--json', 'print JSON')
  .action(async (file: string, options: { json?: boolean }) => printInfo(file, Boolean(options.json)));

program
  .command('dump')
  .description('samples as a float32 [traces, samples] .npy array in file order (and trace headers as JSON)')
  .argument('<file>', 'SEG-Y file')
  .requiredOption('--npy <out>', 'output .npy file')
  .option('--traces <A:B>', 'trace range, 0-based, B excluded (default: all)')
  .option('--headers <out>', 'also write the trace headers of those traces as JSON')
  .action(async (file: string, options: { npy: string; traces?: string; headers?: string }) => dump(file, options));

program
  .command('import')
  .description('import a SEG-Y file into a project (scan, header map, geometry, survey cache)')
  .argument('<file>', 'SEG-Y file')
  .requiredOption('--project <dir>', 'project folder (created if new)')
  .option('--json', 'print the survey as JSON')
  .option('--slurm', "import on the project's Slurm cluster: the scan and the cache split among array tasks")
  .option('--tasks <n>', 'with --slurm: array tasks (default: the cluster settings)')
  .option('--block-mb <n>', 'with --slurm: memory for the block of inlines a task holds, in MB (default 64)')
  .action(async (file: string, options: ClusterImportCliOptions & { slurm?: boolean }) => {
    if (options.slurm) return importOnCluster(file, options);
    if (options.tasks !== undefined || options.blockMb !== undefined) {
      throw new UsageError('--tasks and --block-mb go with --slurm');
    }
    return importIntoProject(file, options);
  });

program
  .command('export')
  .description("write a project's survey to SEG-Y: every original header byte kept, samples from the project")
  .argument('<survey-id>', 'survey id (see the survey list in the app, or import --json)')
  .argument('<out>', 'output SEG-Y file (written to a temporary file, renamed when complete)')
  .requiredOption('--project <dir>', 'project folder')
  .option('--format <format>', "sample format: 'source' (default) or 'ieee'", 'source')
  .action(async (surveyId: string, out: string, options: { project: string; format: string }) => {
    if (options.format !== 'source' && options.format !== 'ieee') {
      throw new UsageError(`--format is 'source' or 'ieee', not '${options.format}'`);
    }
    await exportSurvey(surveyId, out, { project: options.project, format: options.format });
  });

function seedNumber(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1)
    throw new InvalidArgumentError('a seed is 0..2147483647');
  return seed;
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('a positive number is required');
  return number;
}

program
  .command('train')
  .description(
    'train (or fine-tune with --base) a model on SEG-Y files; the model is registered in the project. ' +
      "--task spectrogram trains the spectrogram anomaly detector on a station's miniSEED recording into the folder --out",
  )
  .requiredOption('--task <task>', 'denoise, interpolate or spectrogram')
  .option(
    '--data <files...>',
    'SEG-Y files to train on (imported into the project if needed), or one miniSEED recording',
    [],
  )
  .option('--station <NET.STA.LOC>', 'with --task spectrogram: the station, when the recording holds several')
  .requiredOption('--out <name>', 'name of the new model (--task spectrogram: the detector folder)')
  .option(
    '--config <name|file>',
    'bundled config name (unet-small, unet-seeds, autoencoder...) or a YAML/JSON file ' +
      '(default: unet-small; the spectrogram autoencoder with --task spectrogram)',
  )
  .option('--base <model-id>', 'fine-tune this model (bundled or trained) instead of starting from scratch')
  .option(
    '--corruption <kind>',
    'synthetic (noise added / traces hidden, the data taken as clean); for a denoiser on noisy field data, recorrupted (white noise added to the input, subtracted from the target; fine-tuning a trained denoiser, as adapting does) or blind-spot (hidden samples predicted from their neighbours)',
    'synthetic',
  )
  .option('--epochs <n>', 'epochs', positiveNumber, 20)
  .option('--patch <n>', 'patch size (samples and traces; a multiple of 2^depth)', positiveNumber, 128)
  .option('--batch <n>', 'batch size', positiveNumber, 8)
  .option('--learning-rate <lr>', 'AdamW learning rate', positiveNumber, 1e-3)
  .option('--time-budget <seconds>', 'stop cleanly after this many seconds (keeping the best model)', positiveNumber)
  .option('--resume', 'continue the stopped training of --out from its last checkpoint')
  .option('--seed <n>', 'seed of the starting weights, the patch order and the corruption (default 1)', seedNumber)
  .option('--slurm', "train on the project's Slurm cluster, one array task per model (see `promethium cluster`)")
  .option('--ensemble <n>', 'with --slurm: train N models alike but for their seeds (1..N)', positiveNumber)
  .option('--sweep <file>', 'with --slurm: a YAML/JSON list of configurations to train, one model each')
  .option('--project <dir>', 'project folder (default: the default project)')
  .option('--json', 'print the result as JSON')
  .action(
    async (
      options: Omit<TrainCliOptions, 'project' | 'config'> & { project?: string; config?: string; station?: string },
    ) => {
      if (options.task === 'spectrogram') {
        await runSpectrogramTraining({ ...options, config: options.config ?? spectrogramConfigPath() });
        return;
      }
      await runTraining({
        ...options,
        config: options.config ?? 'unet-small',
        project: options.project ?? defaultProjectDir(defaultUserDataDir()),
      });
    },
  );

registerModelCommands(program, () => defaultProjectDir(defaultUserDataDir()));
registerVolumeCommands(program);
registerMseedDenoiseCommand(registerMseedCommands(program));
registerRecordingCommands(program);
registerDetectCommand(program);
registerClusterCommands(program);
registerVelocityCommands(program);

for (const task of ['denoise', 'interpolate'] as const) {
  const command = program
    .command(task)
    .description(
      task === 'denoise'
        ? 'denoise a SEG-Y file (per inline, line or gather); OUT keeps every header of IN'
        : 'fill dead and missing traces of a SEG-Y file; live traces keep their samples exactly',
    )
    .argument('<in>', 'input SEG-Y (never modified)')
    .argument('<out>', 'output SEG-Y (written to a temporary file, renamed when complete)')
    .option(
      '--method <name>',
      task === 'denoise'
        ? 'a classical baseline instead of the model: fx, median or fk'
        : 'a classical baseline instead of the model: pocs, linear or slope (slope-steered)',
    )
    .option('--model <id|folder|archive>', `a trained or bundled model (default: the bundled ${DEFAULT_MODELS[task]})`)
    .option('--tta', 'test-time augmentation: average the four flips (with --model)')
    .option('--ensemble <n>', "Monte Carlo passes (with --model): dropout, or a VAE's sampled latent", positiveNumber)
    .option(
      '--full-strength',
      task === 'denoise'
        ? 'apply the model in full, without the strength check (SURE) that turns it down where it would remove signal'
        : 'fill the gaps with the model alone, without the blend check that mixes in POCS or linear where they restore hidden traces better',
    )
    .option('--project <dir>', 'project whose models --model may name (default: the default project)')
    .option('--lines <A-B>', 'only these inlines (3D); the others are copied unchanged')
    .option('--format <format>', "'source' (default) or 'ieee'")
    .option('--json', 'print a JSON summary');
  if (task === 'interpolate') {
    command
      .option(
        '--adapt-seconds <s>',
        `fine-tune the model on this file's own live traces for s seconds first (default ${DEFAULT_ADAPT_SECONDS}); it fills the gaps only where it restores held-out live traces better than the bundled model`,
      )
      .option('--no-adapt', 'interpolate with the bundled model as it is, without fine-tuning it on the file');
  }
  command.action(async (input: string, output: string, options: ProcessCliOptions) =>
    runProcessing(task, input, output, options),
  );
}

const synth = program.command('synth').description(SYNTH_DESCRIPTION);
for (const o of SYNTH_OPTIONS) {
  if (o.required) synth.requiredOption(o.flags, o.description);
  else if (o.parse) synth.option(o.flags, o.description, o.parse, o.defaultValue);
  else synth.option(o.flags, o.description, o.defaultValue as string | undefined);
}
synth.action(async (options: SynthCliOptions) => console.log(await runSynthCommand(options)));

program
  .command('qc')
  .description('quality of PROCESSED against CLEAN (two SEG-Y files of the same shape): SNR, SSIM, MSE, coherence')
  .argument('<clean>', 'reference SEG-Y')
  .argument('<processed>', 'processed SEG-Y')
  .option('--json', 'print JSON (keys snrDb, ssim, mse, coherence)')
  .action(async (clean: string, processed: string, options: { json?: boolean }) =>
    printQuality(clean, processed, Boolean(options.json)),
  );

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage; // commander printed the message already
    return;
  }
  const shown = asReadOnlyRefusal(error);
  console.error(`promethium: ${shown instanceof Error ? shown.message : String(shown)}`);
  process.exitCode = exitCodeFor(shown);
});
