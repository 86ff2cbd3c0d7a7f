import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../preload/wire';
import { createDispatcher } from '../api/dispatch';
import { createApiHandlers, noNativeDialogs } from '../api/handlers';
import { forkComputeLauncher } from '../jobs/forkCompute';
import { AppServices } from '../workflows/services';
import { startServer, type RunningServer } from './server';

let home: string;
let services: AppServices;
let server: RunningServer;

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'promethium-server-'));
  const rendererDir = path.join(home, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Promethium</title>');
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(home, 'secret.txt'), 'not for the browser');
  services = new AppServices({
    userDataDir: path.join(home, 'user'),
    bundledModelsDir: path.resolve('resources/models'),
    host: {
      kind: 'browser',
      versions: {},
      launchCompute: forkComputeLauncher(path.resolve('dist/compute.cjs'), {
        ...process.env,
        PROMETHIUM_BACKEND: 'cpu',
      }),
      showOpenDialog: noNativeDialogs,
    },
  });
  server = await startServer({
    rendererDir,
    dispatch: createDispatcher(createApiHandlers(services)),
    bus: services.bus,
  });
});

afterAll(async () => {
  await server?.close();
  services?.close();
  rmSync(home, { recursive: true, force: true });
});

function connect(headers: Record<string, string>, query = ''): Promise<WebSocket | { status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api${query}`, { headers });
    ws.binaryType = 'arraybuffer';
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) => resolve({ status: response.statusCode ?? 0 }));
    ws.once('error', () => undefined);
  });
}

function nextResult(ws: WebSocket, id: number): Promise<Extract<ServerMessage, { t: 'result' }>> {
  return new Promise((resolve) => {
    const onMessage = (data: ArrayBuffer): void => {
      const message = decodeFrame(data) as ServerMessage;
      if (message.t === 'result' && message.id === id) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
  });
}

describe('browser-mode server', () => {
  it('binds to loopback and prints a URL with the token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
  });

  it('serves the renderer with the token (and sets a cookie), 401 without, 403 with a wrong one', async () => {
    const ok = await fetch(server.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'self'");
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const asset = await fetch(`${server.origin}/assets/app.js`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(asset.status).toBe(200);
    expect((await fetch(`${server.origin}/`)).status).toBe(401);
    expect((await fetch(`${server.origin}/assets/app.js`)).status).toBe(401);
    expect((await fetch(`${server.origin}/?token=0123`)).status).toBe(403);
    expect((await fetch(`${server.origin}/`, { headers: { authorization: 'Bearer nope' } })).status).toBe(403);
  });

  it('never serves files outside the renderer folder, and only GET/HEAD', async () => {
    const auth = { authorization: `Bearer ${server.token}` };
    expect((await fetch(`${server.origin}/..%2fsecret.txt`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${server.origin}/%2e%2e/secret.txt`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${server.origin}/%E0%A4%A`, { headers: auth })).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
  });

  it('refuses cross-origin and unauthenticated WebSocket upgrades', async () => {
    expect(await connect({ origin: 'http://evil.example' }, `?token=${server.token}`)).toEqual({ status: 403 });
    expect(await connect({ origin: server.origin })).toEqual({ status: 401 });
    expect(await connect({ origin: server.origin }, '?token=wrong')).toEqual({ status: 403 });
    expect(await connect({}, `?token=${server.token}`)).toEqual({ status: 403 });
  });

  it('answers API calls over the socket, survives malformed frames, and reports readable errors', async () => {
    const ws = (await connect({ origin: server.origin }, `?token=${server.token}`)) as WebSocket;
    ws.send(new Uint8Array([1, 2, 3]));
    ws.send('{"not": "a frame"}');
    ws.send(encodeFrame({ t: 'call', id: 1, method: 'project.current', args: [] }));
    expect((await nextResult(ws, 1)).ok).toBe(true);
    ws.send(encodeFrame({ t: 'call', id: 2, method: 'jobs.cancel', args: [42] }));
    const bad = await nextResult(ws, 2);
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    ws.send(encodeFrame({ t: 'call', id: 3, method: 'system.showOpenDialog', args: [{ kind: 'segy' }] }));
    expect(await nextResult(ws, 3)).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    ws.close();
  });
});
