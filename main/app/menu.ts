import { Menu, app, dialog, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../preload/contract';
import type { AppServices } from '../workflows/services';

/**
 * The native menu; commands that need the UI are forwarded to the renderer as `menu.command` events. The developer
 * tools entry exists only in unpackaged builds.
 */
export function installMenu(
  services: AppServices,
  window: () => BrowserWindow | null,
  { devTools }: { devTools: boolean },
): void {
  const send = (command: MenuCommand) => () => services.bus.emit('menu.command', command);
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Open SEG-Y…', accelerator: 'CmdOrCtrl+O', click: send('open-segy') },
        { label: 'Open project…', accelerator: 'CmdOrCtrl+Shift+O', click: send('open-project') },
        { label: 'Export to SEG-Y…', accelerator: 'CmdOrCtrl+E', click: send('export') },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { label: 'Jobs', accelerator: 'CmdOrCtrl+J', click: send('show-jobs') },
        { label: 'System', click: send('show-system') },
        { type: 'separator' },
        { role: 'reload' },
        ...(devTools ? [{ role: 'toggleDevTools' } as const] : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Help',
      submenu: [{ label: 'About Promethium', click: () => void showAbout(services, window()) }],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function showAbout(services: AppServices, window: BrowserWindow | null): Promise<void> {
  const { backend } = services.compute.status;
  const compute = backend
    ? `${backend.backend} on ${backend.device}`
    : (services.compute.lastBackendError ?? 'not started');
  const detail = [
    `Version ${app.getVersion()}`,
    `Electron ${process.versions.electron}, Chromium ${process.versions.chrome}, Node ${process.versions.node}`,
    `Compute backend: ${compute}`,
    `Project: ${services.project.dir}`,
  ].join('\n');
  const options = { type: 'info' as const, title: 'About Promethium', message: 'Promethium', detail };
  await (window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options));
}
