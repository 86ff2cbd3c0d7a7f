/**
 * The browser/remote mode: an HTTP(S) + WebSocket host that serves the built renderer and the same API as the Electron
 * host, through the same handler table. It binds to loopback unless told otherwise; every request needs the session
 * token and one of this server's own Host names, and WebSocket upgrades from other origins are refused. Nothing a
 * client sends (a request line, a header, a frame) can throw out of a handler: what does not parse gets a 400 or an
 * error answer, and the connection at worst is closed.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { decodeFrame, encodeFrame, readableCallId, type ServerMessage } from '../../preload/wire';
import type { CallOutcome } from '../api/dispatch';
import { contentSecurityPolicy } from './contentSecurityPolicy';
import type { ApiEventBus } from '../jobs/events';
import { allowedHosts, authorise, isAllowedHost, isSameOrigin, newToken, tokenCookieName } from './auth';
import { rateLimitedLog } from './rateLimitedLog';
import { resolveStaticPath, sendStaticFile } from './staticFiles';

export interface ServerOptions {
  rendererDir: string;
  dispatch: (method: unknown, args: unknown) => Promise<CallOutcome>;
  bus: ApiEventBus;
  host?: string;
  port?: number;
  token?: string;
  /** PEM certificate and key: the server speaks HTTPS / WSS. */
  tls?: { cert: Buffer; key: Buffer };
}

export interface RunningServer {
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
}

/**
 * Clients send calls, never bulk data (sections and gathers only come back): the largest call the contract allows is
 * a volumes.apply polygon of 10,000 vertices, about 400 kB of JSON.
 */
export const MAX_CALL_FRAME_BYTES = 1024 * 1024;
/** Far more than the renderer ever has pending; bounds the memory one connection can tie up in unanswered calls. */
export const MAX_CALLS_IN_FLIGHT = 64;
/** Only origin-form targets ("/path?query") are served; the base only gives `URL` something to resolve against. */
const TARGET_BASE = 'http://promethium.invalid';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden' };

function reject(response: ServerResponse, status: number, reason: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${status}: ${reason}\n`);
}

function refuseUpgrade(socket: Duplex, status: 400 | 401 | 403, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${reason}\n`,
  );
}

/** The request target as a URL, or null when it is not a path that parses (e.g. `http://a:b:c/`). */
export function parseRequestTarget(target: string | undefined): URL | null {
  if (!target?.startsWith('/')) return null;
  try {
    return new URL(target, TARGET_BASE);
  } catch {
    return null;
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const bindHost = options.host ?? '127.0.0.1';
  const log = rateLimitedLog(20, 60_000);
  let origin = '';
  let cookieName = '';
  let hosts = new Set<string>();
  const server = options.tls
    ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, (request, response) =>
        handleHttp(request, response),
      )
    : http.createServer((request, response) => handleHttp(request, response));
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_CALL_FRAME_BYTES });

  // Requests Node's parser cannot read (bad request lines, oversized headers, TLS garbage) end here, not in a crash.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    log(`[server] unreadable request: ${error.code ?? error.message}`);
    if (socket.writable && error.code !== 'ECONNRESET') {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    } else {
      socket.destroy();
    }
  });

  function handleHttp(request: IncomingMessage, response: ServerResponse): void {
    const url = parseRequestTarget(request.url);
    if (!url) return reject(response, 400, 'the request target is not a path');
    if (!isAllowedHost(request, hosts)) return reject(response, 403, 'this server does not answer to that host name');
    if (request.method !== 'GET' && request.method !== 'HEAD') return reject(response, 405, 'method not allowed');
    const auth = authorise(request, url, token, cookieName);
    if (!auth.ok) return reject(response, auth.status, auth.reason);
    // The token in the printed URL becomes a same-site cookie, then leaves the address bar (and the history).
    if (auth.fromQuery) return redirectWithoutToken(response, url);
    const file = resolveStaticPath(options.rendererDir, url.pathname);
    if (!file) return reject(response, 404, 'not found');
    sendStaticFile(response, file, {
      'content-security-policy': contentSecurityPolicy([origin.replace(/^http/, 'ws')]),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
  }

  function redirectWithoutToken(response: ServerResponse, url: URL): void {
    url.searchParams.delete('token');
    const secure = options.tls ? '; Secure' : '';
    response
      .writeHead(303, {
        location: url.pathname + url.search,
        'set-cookie': `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/${secure}`,
        'referrer-policy': 'no-referrer',
      })
      .end();
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = parseRequestTarget(request.url);
    if (!url) return refuseUpgrade(socket, 400, 'the request target is not a path');
    if (!isAllowedHost(request, hosts)) return refuseUpgrade(socket, 403, 'this server does not answer to that host');
    if (url.pathname !== '/api') return refuseUpgrade(socket, 403, 'no such endpoint');
    if (!isSameOrigin(request)) return refuseUpgrade(socket, 403, 'cross-origin WebSocket refused');
    const auth = authorise(request, url, token, cookieName);
    if (!auth.ok) return refuseUpgrade(socket, auth.status, auth.reason);
    sockets.handleUpgrade(request, socket, head, (ws) => serveApi(ws));
  });

  function serveApi(ws: WebSocket): void {
    let callsInFlight = 0;
    const send = (message: ServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(encodeFrame(message));
    };
    const unsubscribe = options.bus.onAny((event, payload) => send({ t: 'event', event, payload }));
    ws.on('close', unsubscribe);
    // A frame the protocol forbids (reserved opcode, oversized payload, bad masking) ends this connection only.
    ws.on('error', (error) => {
      log(`[server] closed a WebSocket connection: ${error.message}`);
      ws.terminate();
    });
    ws.on('message', (data: RawData) => {
      const bytes = toBytes(data);
      if (callsInFlight >= MAX_CALLS_IN_FLIGHT) {
        return answerError(bytes, send, `more than ${MAX_CALLS_IN_FLIGHT} calls at once: wait for answers first`);
      }
      callsInFlight++;
      void answer(bytes, send).finally(() => callsInFlight--);
    });
  }

  function answerError(bytes: Uint8Array, send: (message: ServerMessage) => void, message: string): void {
    const id = readableCallId(bytes);
    if (id === undefined) return log(`[server] dropped a frame without a readable call id: ${message}`);
    send({ t: 'result', id, ok: false, error: { code: 'invalid-argument', message } });
  }

  async function answer(bytes: Uint8Array, send: (message: ServerMessage) => void): Promise<void> {
    let message: unknown;
    try {
      message = decodeFrame(bytes);
    } catch (error) {
      return answerError(bytes, send, `malformed frame: ${(error as Error).message}`);
    }
    const call = message as { t?: unknown; id?: unknown; method?: unknown; args?: unknown } | null;
    if (call?.t !== 'call' || typeof call.id !== 'number' || !Number.isSafeInteger(call.id)) {
      return answerError(bytes, send, 'not a call: a frame needs t: "call", a numeric id, a method and arguments');
    }
    const outcome = await options.dispatch(call.method, call.args);
    send({ t: 'result', id: call.id, ...outcome });
  }

  await new Promise<void>((resolve, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, bindHost, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  origin = `${options.tls ? 'https' : 'http'}://${hostForUrl}:${address.port}`;
  cookieName = tokenCookieName(address.port);
  hosts = allowedHosts(bindHost, address.port);
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
