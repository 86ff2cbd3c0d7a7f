// postinstall: Electron is an optional dependency: its package needs Node >= 22.12 (npm skips it on older Node) and
// downloads its binary from GitHub on first use, which fails on machines that reach only the npm registry. Without
// the package there are no Electron type definitions.
// The main/app layer must still type-check against Electron's own types, so in that case this script fetches the same
// electron version's package from the registry (no binary in it) and keeps only electron.d.ts, where tsconfig.node.json
// looks when node_modules/electron is absent. It never fails the install.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, copyFileSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const target = path.join('node_modules', '.cache', 'electron-types');
const wanted = JSON.parse(readFileSync('package.json', 'utf8')).optionalDependencies.electron;

if (existsSync(path.join('node_modules', 'electron', 'electron.d.ts'))) process.exit(0);
if (existsSync(path.join(target, 'electron.d.ts')) && readFileSync(path.join(target, 'VERSION'), 'utf8') === wanted) {
  process.exit(0);
}
const scratch = mkdtempSync(path.join(os.tmpdir(), 'electron-types-'));
try {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const tarball = execFileSync(npm, ['pack', `electron@${wanted}`, '--silent', '--pack-destination', scratch], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
  execFileSync('tar', ['xzf', path.join(scratch, tarball), '-C', scratch, 'package/electron.d.ts']);
  mkdirSync(target, { recursive: true });
  copyFileSync(path.join(scratch, 'package', 'electron.d.ts'), path.join(target, 'electron.d.ts'));
  writeFileSync(path.join(target, 'package.json'), JSON.stringify({ name: 'electron', types: 'electron.d.ts' }));
  writeFileSync(path.join(target, 'VERSION'), wanted);
  console.log(`electron ${wanted}: binary unavailable here; its type definitions are in ${target} for type-checking`);
} catch (error) {
  console.warn(`electron types could not be fetched (${error.message.split('\n')[0]}); main/app will not type-check`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
