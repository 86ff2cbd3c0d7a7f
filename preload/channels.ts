/** Electron IPC channel names shared by main/app (ipcMain) and the preload bridge (ipcRenderer). */
export const IPC_CALL_CHANNEL = 'promethium:call';
export const IPC_EVENT_CHANNEL = 'promethium:event';
