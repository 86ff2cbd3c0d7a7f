import type { BrowserWindowConstructorOptions } from 'electron';
import { contentSecurityPolicy } from '../server/contentSecurityPolicy';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://promethium`;

/**
 * The main window's settings: the renderer is untrusted, so no Node, a sandbox, and an isolated preload world.
 * Developer tools only in unpackaged builds (`devTools: !app.isPackaged`).
 */
export function mainWindowOptions(
  preloadPath: string,
  { devTools }: { devTools: boolean },
): BrowserWindowConstructorOptions {
  return {
    width: 1600,
    height: 1000,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#15181d',
    title: 'Promethium',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools,
    },
  };
}

/** The strict CSP sent with every app:// document (no remote code, no eval, no inline scripts). */
export const APP_CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/** A page of the app itself (app://promethium): the only pages that may call the API or be navigated to. */
export function isAppPageUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'promethium';
  } catch {
    return false;
  }
}

/**
 * Origins the system browser may be asked to open (shell.openExternal). None today: the renderer has no external
 * links. A page that needs one adds its https origin here; everything else is refused.
 */
export const EXTERNAL_ORIGINS: readonly string[] = [];

export function isAllowedExternalUrl(url: string, allowed: readonly string[] = EXTERNAL_ORIGINS): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.username === '' && allowed.includes(parsed.origin);
  } catch {
    return false;
  }
}
