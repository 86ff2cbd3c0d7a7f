/**
 * What the Electron session and every web contents may do: nothing the app does not use. The renderer asks for no
 * permission (camera, notifications, clipboard, devices...), so every request and check is refused; navigation stays
 * on app://promethium, new windows and <webview> are refused, and only allow-listed https links reach the system
 * browser (windowOptions.ts: EXTERNAL_ORIGINS).
 */
import { app, shell, type Session, type WebContents } from 'electron';
import { isAllowedExternalUrl, isAppPageUrl } from './windowOptions';

export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    console.warn(`refused a request for the ${permission} permission: Promethium uses none`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

function guardWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppPageUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppPageUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/** Applies the guards to every web contents the app will create (the window, and anything a bug might open). */
export function guardAllWebContents(): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents));
}
