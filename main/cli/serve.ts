import { spawn } from 'node:child_process';
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { createDispatcher } from '../api/dispatch';
import { createApiHandlers, noNativeDialogs } from '../api/handlers';
import { dataRootsFence } from '../api/pathFence';
import { computeBundlePath, forkComputeLauncher } from '../jobs/forkCompute';
import { defaultUserDataDir } from '../project/paths';
import { dataRoots } from '../project/dataRoots';
import { startServer } from '../server/server';
import { AppServices } from '../workflows/services';
import { ensureDemoSurvey } from '../workflows/demo';
import { localPromethiumCommand } from '../cluster/clusterApply';
import { UsageError } from './usageError';

export interface ServeOptions {
  port: number;
  host: string;
  open: boolean;
  project?: string;
  /** Import the synthetic demo survey on first run (what `npm start` asks for). */
  demo?: boolean;
  /** PEM certificate and key files: serve HTTPS / WSS. */
  tlsCert?: string;
  tlsKey?: string;
  /** Serve plain HTTP on a non-loopback address anyway. */
  insecure?: boolean;
}

export const DIST_DIR = __dirname;
/** In a checkout (and the browser mode), the bundled models sit in resources/models next to dist/. */
export const BUNDLED_MODELS_DIR = path.join(DIST_DIR, '..', 'resources', 'models');

function openInBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => console.log(`(could not open a browser with ${command}; open the URL above yourself)`));
  child.unref();
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The certificate and key to serve with. Off loopback the token would cross the network in clear text, so a
 * non-loopback address needs them, or an explicit --insecure.
 */
function tlsFiles(options: ServeOptions): { cert: Buffer; key: Buffer } | undefined {
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) {
    throw new UsageError('--tls-cert and --tls-key go together: give both files (PEM)');
  }
  if (options.tlsCert && options.tlsKey) {
    return { cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey) };
  }
  if (!isLoopback(options.host) && !options.insecure) {
    throw new UsageError(
      `--host ${options.host} exposes the app to the network, and its access token would travel in clear text: ` +
        'give --tls-cert and --tls-key to serve HTTPS, or --insecure to serve plain HTTP anyway ' +
        '(or keep the default 127.0.0.1 and reach it through an SSH tunnel)',
    );
  }
  return undefined;
}

/** `promethium serve`: the browser/remote mode. Resolves when the server stops (SIGINT/SIGTERM). */
export async function serve(options: ServeOptions): Promise<void> {
  const tls = tlsFiles(options);
  const rendererDir = path.join(DIST_DIR, 'renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`the renderer is not built (${rendererDir}/index.html missing): run \`npm run build\``);
  }
  const services = new AppServices({
    userDataDir: defaultUserDataDir(),
    projectDir: options.project,
    bundledModelsDir: BUNDLED_MODELS_DIR,
    cliCommand: localPromethiumCommand(DIST_DIR),
    damagedDatabases: 'offer',
    host: {
      kind: 'browser',
      versions: {},
      launchCompute: forkComputeLauncher(computeBundlePath(DIST_DIR)),
      showOpenDialog: noNativeDialogs,
    },
  });
  const server = await startServer({
    rendererDir,
    dispatch: createDispatcher(createApiHandlers(services), dataRootsFence(dataRoots())),
    bus: services.bus,
    host: options.host,
    port: options.port,
    tls,
  });
  if (!isLoopback(options.host)) {
    const transport = tls ? 'over HTTPS' : 'over plain HTTP (--insecure)';
    console.log(`warning: listening on ${options.host}, reachable from other machines ${transport}`);
  }
  console.log(`Promethium is running in the browser mode at ${server.url}`);
  console.log(`project: ${services.project.dir}`);
  if (services.project.readOnly) console.log(`read-only: ${services.project.readOnly}`);
  for (const damaged of services.damagedFiles()) console.log(`warning: ${damaged.message} (the page offers it)`);
  // Start the compute process now so the status bar shows the backend without waiting for the first job.
  services.compute.start().catch((error: Error) => console.error(`compute process: ${error.message}`));
  if (options.demo) {
    await ensureDemoSurvey(services).catch((error: Error) => console.error(`demo survey: ${error.message}`));
  }
  if (options.open && process.env.PROMETHIUM_NO_OPEN !== '1') openInBrowser(server.url);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(() => {
        services.close();
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
