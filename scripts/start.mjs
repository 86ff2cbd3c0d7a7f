// `npm start`: the desktop app when Electron can run here; otherwise one line saying why, then the same app in the
// browser mode (its URL printed, and the system browser opened unless PROMETHIUM_NO_OPEN=1).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

if (!existsSync('dist/app.cjs') || !existsSync('dist/renderer/index.html')) {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/** The Electron executable, or why there is none. */
function findElectron() {
  let executable;
  try {
    executable = require('electron'); // the package's main export is the binary's path
  } catch (error) {
    // Electron 45 needs Node 22.12 or newer (npm skips it on older Node) and downloads its binary from GitHub.
    const reason =
      error.code === 'MODULE_NOT_FOUND'
        ? `the electron package is not installed (it needs Node 22.12 or newer, this is ${process.version}, and internet access to GitHub for its binary)`
        : `${error.message.split('\n')[0]} (the Electron binary is downloaded from GitHub on first use)`;
    return { reason };
  }
  if (typeof executable !== 'string' || !existsSync(executable)) return { reason: 'the Electron binary is missing' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display (DISPLAY/WAYLAND_DISPLAY unset)' };
  }
  return { executable };
}

function run(command, args) {
  const child = spawn(command, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
}

const electron = findElectron();
if (electron.executable) {
  run(electron.executable, ['.']);
} else {
  console.log(`Electron cannot start here: ${electron.reason}. Starting the browser mode instead.`);
  run(process.execPath, ['bin/promethium.cjs', 'serve', '--open', '--demo']);
}
