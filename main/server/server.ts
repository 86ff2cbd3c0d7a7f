/**
 * The browser/remote mode: an HTTP + WebSocket host that serves the built renderer and the same API as the Electron
 * host, through the same handler table. It binds to loopback unless told otherwise; every request needs the session
 * token, and WebSocket upgrades from other origins are refused.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../preload/wire';
import type { CallOutcome } from '../api/dispatch';
import { contentSecurityPolicy } from './contentSecurityPolicy';
import type { ApiEventBus } from '../jobs/events';
import { authorise, isSameOrigin, newToken, TOKEN_COOKIE } from './auth';
import { resolveStaticPath, sendStaticFile } from './staticFiles';

export interface ServerOptions {
  rendererDir: string;
  dispatch: (method: unknown, args: unknown) => Promise<CallOutcome>;
  bus: ApiEventBus;
  host?: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
}

const MAX_FRAME_BYTES = 64 * 1024 * 1024;

function reject(response: ServerResponse, status: number, reason: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${status}: ${reason}\n`);
}

function refuseUpgrade(socket: Duplex, status: 401 | 403, reason: string): void {
  const text = status === 401 ? 'Unauthorized' : 'Forbidden';
  socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${reason}\n`);
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const bindHost = options.host ?? '127.0.0.1';
  let origin = '';
  const server = http.createServer((request, response) => handleHttp(request, response));
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  function handleHttp(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', origin);
    if (request.method !== 'GET' && request.method !== 'HEAD') return reject(response, 405, 'method not allowed');
    const auth = authorise(request, url, token);
    if (!auth.ok) return reject(response, auth.status, auth.reason);
    const file = resolveStaticPath(options.rendererDir, url.pathname);
    if (!file) return reject(response, 404, 'not found');
    const headers: Record<string, string> = {
      'content-security-policy': contentSecurityPolicy([origin.replace(/^http/, 'ws')]),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    // The token in the printed URL becomes a same-site cookie, so the page's own assets and socket need no query.
    if (auth.fromQuery) headers['set-cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    sendStaticFile(response, file, headers);
  }

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', origin);
    if (url.pathname !== '/api') return refuseUpgrade(socket, 403, 'no such endpoint');
    if (!isSameOrigin(request)) return refuseUpgrade(socket, 403, 'cross-origin WebSocket refused');
    const auth = authorise(request, url, token);
    if (!auth.ok) return refuseUpgrade(socket, auth.status, auth.reason);
    sockets.handleUpgrade(request, socket, head, (ws) => serveApi(ws));
  });

  function serveApi(ws: WebSocket): void {
    const send = (message: ServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(encodeFrame(message));
    };
    const unsubscribe = options.bus.onAny((event, payload) => send({ t: 'event', event, payload }));
    ws.on('close', unsubscribe);
    ws.on('message', (data: RawData) => void answer(toBytes(data), send));
  }

  async function answer(bytes: Uint8Array, send: (message: ServerMessage) => void): Promise<void> {
    let message: unknown;
    try {
      message = decodeFrame(bytes);
    } catch (error) {
      console.warn(`[server] dropped a malformed frame: ${(error as Error).message}`);
      return;
    }
    const call = message as { t?: unknown; id?: unknown; method?: unknown; args?: unknown };
    if (call.t !== 'call' || typeof call.id !== 'number') return;
    const outcome = await options.dispatch(call.method, call.args);
    send({ t: 'result', id: call.id, ...outcome });
  }

  await new Promise<void>((resolve, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, bindHost, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  origin = `http://${hostForUrl}:${address.port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    close: async () => {
      for (const ws of sockets.clients) ws.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
