import os from 'node:os';
import path from 'node:path';

/**
 * Where Promethium keeps per-user state when Electron does not say (browser mode, CLI): $PROMETHIUM_HOME, else the
 * platform's usual application-data folder (the same one Electron's app.getPath('userData') uses).
 */
export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PROMETHIUM_HOME) return path.resolve(env.PROMETHIUM_HOME);
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Promethium');
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Promethium');
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Promethium');
  }
}

/** The project opened when none is named: `projects/default` in the user-data folder. */
export function defaultProjectDir(userDataDir: string): string {
  return path.join(userDataDir, 'projects', 'default');
}
