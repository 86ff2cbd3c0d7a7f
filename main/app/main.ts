/**
 * Electron main process: lifecycle, the window, the app:// protocol, the menu, native dialogs and IPC registration.
 * This folder is the only place that imports 'electron'; all the work is done by the services under main/.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  session,
  type IpcMainInvokeEvent,
  type OpenDialogOptions,
} from 'electron';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../preload/channels';
import type { OpenDialogResult } from '../../preload/contract';
import { createDispatcher } from '../api/dispatch';
import { createApiHandlers } from '../api/handlers';
import { dataRootsFence } from '../api/pathFence';
import { computeBundlePath } from '../jobs/forkCompute';
import { dataRoots } from '../project/dataRoots';
import { AppServices } from '../workflows/services';
import { ensureDemoSurvey } from '../workflows/demo';
import { utilityComputeLauncher } from './computeProcess';
import { installMenu } from './menu';
import { registerAppScheme, serveRenderer } from './protocol';
import { denyAllPermissions, guardAllWebContents } from './security';
import { APP_ORIGIN, isAppPageUrl, mainWindowOptions } from './windowOptions';

const DIST_DIR = __dirname;
let mainWindow: BrowserWindow | null = null;
/**
 * The real paths the native open dialog returned: the renderer may use these even outside the data roots (a survey on
 * an external disk), because the user picked them in a window the main process showed, not the page.
 */
const chosenInDialog = new Set<string>();

const DIALOG_FILTERS: Record<'segy' | 'project' | 'model', OpenDialogOptions> = {
  segy: {
    properties: ['openFile', 'multiSelections'],
    filters: [
      { name: 'SEG-Y', extensions: ['sgy', 'segy', 'SGY', 'SEGY'] },
      { name: 'All files', extensions: ['*'] },
    ],
  },
  project: { properties: ['openDirectory', 'createDirectory'] },
  model: { properties: ['openFile'], filters: [{ name: 'Promethium model archive', extensions: ['pmodel', 'zip'] }] },
};

async function showOpenDialog(options: {
  title?: string;
  kind: 'segy' | 'project' | 'model';
}): Promise<OpenDialogResult> {
  const dialogOptions = { ...DIALOG_FILTERS[options.kind], title: options.title };
  const result = mainWindow
    ? await dialog.showOpenDialog(mainWindow, dialogOptions)
    : await dialog.showOpenDialog(dialogOptions);
  for (const chosen of result.filePaths) chosenInDialog.add(realpathSync(chosen));
  return { canceled: result.canceled, paths: result.filePaths };
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(
    mainWindowOptions(path.join(DIST_DIR, 'preload.cjs'), { devTools: !app.isPackaged }),
  );
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => (mainWindow = null));
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  return mainWindow !== null && event.sender === mainWindow.webContents && isAppPageUrl(event.senderFrame?.url ?? '');
}

function start(): void {
  denyAllPermissions(session.defaultSession);
  const services = new AppServices({
    userDataDir: app.getPath('userData'),
    // Packaged: electron-builder's extraResources put resources/models in the app's resources folder.
    bundledModelsDir: app.isPackaged
      ? path.join(process.resourcesPath, 'models')
      : path.join(DIST_DIR, '..', 'resources', 'models'),
    damagedDatabases: 'offer',
    host: {
      kind: 'electron',
      versions: {
        electron: process.versions.electron ?? '',
        chrome: process.versions.chrome ?? '',
      },
      launchCompute: utilityComputeLauncher(computeBundlePath(DIST_DIR)),
      showOpenDialog,
    },
  });
  const fence = dataRootsFence(dataRoots(), (real) => chosenInDialog.has(real));
  const dispatch = createDispatcher(createApiHandlers(services), fence);
  ipcMain.handle(IPC_CALL_CHANNEL, async (event, method: unknown, args: unknown) => {
    if (!isTrustedSender(event)) {
      return { ok: false, error: { code: 'unavailable', message: 'IPC refused: the sender is not a Promethium page' } };
    }
    return dispatch(method, args);
  });
  services.bus.onAny((event, payload) => mainWindow?.webContents.send(IPC_EVENT_CHANNEL, event, payload));
  serveRenderer(path.join(DIST_DIR, 'renderer'));
  installMenu(services, () => mainWindow, { devTools: !app.isPackaged });
  mainWindow = createWindow();
  services.compute.start().catch((error: Error) => console.error(`compute process: ${error.message}`));
  ensureDemoSurvey(services).catch((error: Error) => console.error(`demo survey: ${error.message}`));

  app.on('activate', () => {
    if (!mainWindow) mainWindow = createWindow();
  });
  app.on('will-quit', () => services.close());
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  registerAppScheme();
  guardAllWebContents();
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  void app.whenReady().then(start);
}
