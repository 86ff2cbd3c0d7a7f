/** The `promethium` command: the headless entry point (browser mode server, and later info/import/denoise/...). */
import { Command, InvalidArgumentError } from 'commander';
import { APP_VERSION } from '../api/handlers';
import { printBackend } from './backend';
import { EXIT, exitCodeFor } from './exitCodes';
import { printQuality } from './qc';
import { serve } from './serve';

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is 0..65535');
  return port;
}

const program = new Command()
  .name('promethium')
  .description('Promethium seismic reconstruction workstation')
  .version(APP_VERSION)
  .showHelpAfterError();

program
  .command('serve')
  .description('start the browser/remote mode: the app served over HTTP + WebSocket on loopback, with an access token')
  .option('-p, --port <port>', 'port to listen on (0 = any free port)', portNumber, 0)
  .option('--host <address>', 'address to bind; anything but loopback exposes the app to the network', '127.0.0.1')
  .option('--open', 'open the app in the system browser', false)
  .option('--project <dir>', 'project folder to open (default: the default project in the user-data folder)')
  .action(async (options: { port: number; host: string; open: boolean; project?: string }) => serve(options));

program
  .command('backend')
  .description('probe the ML backends (tensorflow -> webgpu -> wasm -> cpu) and report the choice and every fallback reason')
  .option('--json', 'print JSON')
  .action(async (options: { json?: boolean }) => printBackend(Boolean(options.json)));

program
  .command('qc')
  .description('quality of PROCESSED against CLEAN (two SEG-Y files of the same shape): SNR, SSIM, MSE, coherence')
  .argument('<clean>', 'reference SEG-Y')
  .argument('<processed>', 'processed SEG-Y')
  .option('--json', 'print JSON (keys snrDb, ssim, mse, coherence)')
  .action(async (clean: string, processed: string, options: { json?: boolean }) =>
    printQuality(clean, processed, Boolean(options.json)),
  );

program.exitOverride((error) => {
  process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
});

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`promethium: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = exitCodeFor(error);
});
