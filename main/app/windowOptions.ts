import type { BrowserWindowConstructorOptions } from 'electron';
import { contentSecurityPolicy } from '../server/contentSecurityPolicy';

export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://promethium`;

/** The main window's settings: the renderer is untrusted, so no Node, a sandbox, and an isolated preload world. */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
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
    },
  };
}

/** The strict CSP sent with every app:// document (no remote code, no eval, no inline scripts). */
export const APP_CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/** Only our own app:// pages may talk to the API. */
export function isTrustedSenderUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'promethium';
  } catch {
    return false;
  }
}
