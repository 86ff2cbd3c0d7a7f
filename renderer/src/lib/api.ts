import type { Api } from '../../../preload/contract';
import { createSocketApi } from './socketApi';

declare global {
  interface Window {
    /** Set by the Electron preload; in the browser mode this module sets it to the WebSocket client. */
    promethium?: Api;
  }
}

export interface Connection {
  api: Api;
  host: 'electron' | 'browser';
}

/** The API for this page: Electron's preload bridge when present, else the browser mode's WebSocket to this server. */
export function connectApi(onConnectionChange: (connected: boolean) => void): Connection {
  if (window.promethium) return { api: window.promethium, host: 'electron' };
  const url = new URL('api', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  const api = createSocketApi({ url: url.toString(), onConnectionChange });
  window.promethium = api;
  return { api, host: 'browser' };
}
