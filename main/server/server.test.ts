import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../preload/wire';
import { clientFrame, openRawWebSocket, rawHttp, statusOf } from '../../test/support/rawSocket';
import { createTestServices, jobWhen, type TestServices } from '../../test/support/services';
import { createDispatcher } from '../api/dispatch';
import { createApiHandlers } from '../api/handlers';
import { dataRootsFence } from '../api/pathFence';
import { tokenCookieName } from './auth';
import { MAX_CALL_FRAME_BYTES, MAX_CALLS_IN_FLIGHT, startServer, type RunningServer } from './server';

let test: TestServices;
let server: RunningServer;
let port: number;
let dataDir: string;

beforeAll(async () => {
  test = createTestServices('cpu', 'promethium-server-');
  const rendererDir = path.join(test.home, 'renderer');
  dataDir = path.join(test.home, 'data');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  mkdirSync(dataDir);
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Promethium</title>');
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(test.home, 'secret.txt'), 'not for the browser');
  server = await startServer({
    rendererDir,
    // The data folder and the open project are the roots: the rest of the test home is outside them.
    dispatch: createDispatcher(createApiHandlers(test.services), dataRootsFence([dataDir, test.services.project.dir])),
    bus: test.services.bus,
  });
  port = Number(new URL(server.origin).port);
});

afterAll(async () => {
  await server?.close();
  test?.dispose();
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

const openApi = async (): Promise<WebSocket> =>
  (await connect({ origin: server.origin }, `?token=${server.token}`)) as WebSocket;

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

let nextId = 1000;
async function call(ws: WebSocket, method: string, args: unknown[]): Promise<Extract<ServerMessage, { t: 'result' }>> {
  const id = nextId++;
  const result = nextResult(ws, id);
  ws.send(encodeFrame({ t: 'call', id, method, args }));
  return result;
}

/** The server is alive when a fresh connection gets an answer to a valid call. */
async function stillAnswers(): Promise<void> {
  const ws = await openApi();
  expect((await call(ws, 'project.current', [])).ok).toBe(true);
  ws.close();
}

const authorised = (extra = ''): string =>
  `Host: 127.0.0.1:${port}\r\nAuthorization: Bearer ${server.token}\r\n${extra}Connection: close\r\n\r\n`;

describe('browser-mode server', () => {
  it('binds to loopback and prints a URL with the token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
  });

  it('turns the token in the URL into a cookie named for its port, and takes it out of the address bar', async () => {
    const first = await fetch(server.url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^${tokenCookieName(port)}=${server.token}; HttpOnly; SameSite=Strict`));
    const withCookie = { headers: { cookie: cookie.split(';')[0]! } };
    const page = await fetch(`${server.origin}/`, withCookie);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await fetch(`${server.origin}/assets/app.js`, withCookie)).status).toBe(200);
    const other = await fetch(`${server.origin}/assets/app.js?x=1&token=${server.token}`, { redirect: 'manual' });
    expect(other.headers.get('location')).toBe('/assets/app.js?x=1');
  });

  it('answers 401 without the token and 403 with a wrong one', async () => {
    expect((await fetch(`${server.origin}/`)).status).toBe(401);
    expect((await fetch(`${server.origin}/assets/app.js`)).status).toBe(401);
    expect((await fetch(`${server.origin}/?token=0123`)).status).toBe(403);
    expect((await fetch(`${server.origin}/`, { headers: { authorization: 'Bearer nope' } })).status).toBe(403);
    const otherPortsCookie = { cookie: `${tokenCookieName(port + 1)}=${server.token}` };
    expect((await fetch(`${server.origin}/`, { headers: otherPortsCookie })).status).toBe(401);
  });

  it('never serves files outside the renderer folder, and only GET/HEAD', async () => {
    const auth = { authorization: `Bearer ${server.token}` };
    expect((await fetch(`${server.origin}/..%2fsecret.txt`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${server.origin}/%2e%2e/secret.txt`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${server.origin}/%E0%A4%A`, { headers: auth })).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
  });

  it('regression: an absolute URL in the request line gets a 400, with or without the token', async () => {
    for (const target of ['http://a:b:c/', 'http://evil.example/', '*', 'index.html']) {
      expect(statusOf(await rawHttp(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`)), target).toBe(
        400,
      );
      expect(statusOf(await rawHttp(port, `GET ${target} HTTP/1.1\r\n${authorised()}`)), target).toBe(400);
    }
    const upgrade = `GET http://a:b:c/api HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${authorised()}`;
    expect(statusOf(await rawHttp(port, upgrade))).toBe(400);
    expect(statusOf(await rawHttp(port, 'NONSENSE\r\n\r\n'))).toBe(400);
    expect(statusOf(await rawHttp(port, `GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n`))).toBe(400);
    await stillAnswers();
  });

  it('answers only to its own host names: DNS rebinding fails even with the token', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      const answer = await rawHttp(port, `GET / HTTP/1.1\r\n${authorised().replace(`127.0.0.1:${port}`, host)}`);
      expect(statusOf(answer), host).toBe(200);
    }
    for (const host of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, 'localhost', '']) {
      const answer = await rawHttp(port, `GET / HTTP/1.1\r\n${authorised().replace(`127.0.0.1:${port}`, host)}`);
      expect(statusOf(answer), host).toBe(403);
    }
    const rebound = `http://evil.example:${port}`;
    expect(await connect({ host: `evil.example:${port}`, origin: rebound }, `?token=${server.token}`)).toEqual({
      status: 403,
    });
  });

  it('refuses cross-origin and unauthenticated WebSocket upgrades', async () => {
    expect(await connect({ origin: 'http://evil.example' }, `?token=${server.token}`)).toEqual({ status: 403 });
    expect(await connect({ origin: server.origin })).toEqual({ status: 401 });
    expect(await connect({ origin: server.origin }, '?token=wrong')).toEqual({ status: 403 });
    expect(await connect({}, `?token=${server.token}`)).toEqual({ status: 403 });
  });

  it('answers API calls over the socket and reports readable errors, malformed frames with a readable id too', async () => {
    const ws = await openApi();
    ws.send(new Uint8Array([1, 2, 3]));
    ws.send('{"not": "a frame"}');
    expect((await call(ws, 'project.current', [])).ok).toBe(true);
    expect(await call(ws, 'jobs.cancel', [42])).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(await call(ws, 'jobs.nope', [])).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    const json = new TextEncoder().encode('{"t":"call","id":7,"args":[{"$bin":{"type":"constructor","offset":0}}]}');
    const badAttachment = new Uint8Array(8 + json.length);
    new DataView(badAttachment.buffer).setUint32(0, json.length, true);
    badAttachment.set(json, 4);
    const answer = nextResult(ws, 7);
    ws.send(badAttachment);
    expect(await answer).toMatchObject({ ok: false, error: { message: /malformed frame/ } });
    const notACall = nextResult(ws, 8);
    ws.send(encodeFrame({ t: 'result', id: 8, ok: true, value: null }));
    expect(await notACall).toMatchObject({ ok: false, error: { message: /not a call/ } });
    ws.close();
  });

  it(`caps the calls in flight on one connection at ${MAX_CALLS_IN_FLIGHT}`, async () => {
    const ws = await openApi();
    const calls = MAX_CALLS_IN_FLIGHT + 6;
    const results = new Promise<Extract<ServerMessage, { t: 'result' }>[]>((resolve) => {
      const seen: Extract<ServerMessage, { t: 'result' }>[] = [];
      ws.on('message', (data: ArrayBuffer) => {
        const message = decodeFrame(data) as ServerMessage;
        if (message.t === 'result' && seen.push(message) === calls) resolve(seen);
      });
    });
    // Probing the backend waits for the compute process to start: all of these are in flight at once.
    for (let id = 1; id <= calls; id++) ws.send(encodeFrame({ t: 'call', id, method: 'system.backend', args: [] }));
    const refused = (await results).filter((r) => !r.ok && /calls at once/.test(r.error.message));
    expect(refused).toHaveLength(6);
    ws.close();
  });

  it('regression: a frame with a reserved opcode or an oversized payload closes that connection only', async () => {
    const frames = [
      clientFrame({ opcode: 3, payload: encodeFrame({ t: 'call', id: 1, method: 'project.current', args: [] }) }),
      clientFrame({ opcode: 2, payload: new Uint8Array(16), claimedLength: 65 * 1024 * 1024 }),
      clientFrame({ opcode: 2, payload: new Uint8Array(MAX_CALL_FRAME_BYTES + 1) }),
      clientFrame({ opcode: 2, payload: new Uint8Array(8), masked: false }),
      clientFrame({ opcode: 2, payload: new Uint8Array(8), rsv: 4 }),
      clientFrame({ opcode: 9, payload: new Uint8Array(200) }),
    ];
    for (const frame of frames) {
      const raw = await openRawWebSocket(server.origin, server.token);
      raw.send(frame);
      await raw.closed;
    }
    await stillAnswers();
  });

  it('regression: a project cannot be switched while a job runs; reopening the open one returns it', async () => {
    const ws = await openApi();
    const started = await call(ws, 'jobs.start', [
      { kind: 'synthetic-stats', inlines: 2000, crosslines: 300, samples: 1000, seed: 3 },
    ]);
    if (!started.ok) throw new Error(started.error.message);
    const jobId = (started.value as { id: string }).id;
    await jobWhen(test.services, jobId, (job) => job.state === 'running' && job.progress > 0);
    const other = await call(ws, 'project.create', [path.join(dataDir, 'other-project')]);
    expect(other).toMatchObject({ ok: false, error: { code: 'unavailable', message: /while jobs run/ } });
    const current = test.services.project.dir;
    expect(await call(ws, 'project.open', [current])).toMatchObject({ ok: true, value: { path: current } });
    expect(test.services.jobs.get(jobId).state).toBe('running');
    const ended = jobWhen(test.services, jobId);
    await call(ws, 'jobs.cancel', [jobId]);
    expect((await ended).state).toBe('cancelled');
    expect(await call(ws, 'project.create', [path.join(dataDir, 'other-project')])).toMatchObject({ ok: true });
    ws.close();
  });

  it('regression: paths outside the data folders are refused by every path-taking call', async () => {
    const ws = await openApi();
    const outsideFile = path.join(test.home, 'secret.txt');
    const calls: [string, unknown[]][] = [
      ['survey.inspect', ['/etc/shadow']],
      ['survey.inspect', [path.join(dataDir, '..', 'secret.txt')]],
      ['survey.import', [{ path: outsideFile }]],
      ['models.import', [outsideFile]],
      ['models.export', ['unet_denoise_v1', path.join(test.home, 'out.pmodel')]],
      ['volumes.export', [{ volumeId: 'abcdef12', path: path.join(test.home, 'out.sgy') }]],
      ['project.create', [path.join(test.home, 'elsewhere')]],
      ['files.list', [test.home]],
    ];
    for (const [method, args] of calls) {
      expect(await call(ws, method, args), method).toMatchObject({
        ok: false,
        error: { code: 'invalid-argument', message: /outside the data folders/ },
      });
    }
    ws.close();
  });

  it('regression: a training through the API takes bundled configs by name, and a config file only inside the data folders', async () => {
    const ws = await openApi();
    const configFile = path.join(test.home, 'secret.txt');
    const training = { name: 'x', task: 'denoise', surveyIds: ['abcdef12'] };
    const calls: [string, unknown[]][] = [
      ['models.train', [{ ...training, config: configFile }]],
      ['cluster.train', [{ ...training, config: configFile }]],
      ['cluster.train', [{ ...training, sweep: [{ config: 'unet-small' }, { config: configFile }] }]],
    ];
    expect(await call(ws, 'models.train', [{ ...training, configFile }])).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument', message: /outside the data folders/ },
    });
    for (const [method, args] of calls) {
      expect(await call(ws, method, args), method).toMatchObject({
        ok: false,
        error: { code: 'invalid-argument', message: /no bundled model config .*secret\.txt.*goes in configFile/ },
      });
    }
    ws.close();
  });
});
