/**
 * Robustness of the browser mode (issue 17): a bounded, seeded fuzz against the real `promethium serve` (the built
 * CLI, its own process). Raw HTTP request lines and headers; raw WebSocket frames of every opcode and size class after a
 * real upgrade, masked as a client's must be; and well-formed frames carrying calls whose method names and arguments
 * come from the contract's schemas, then mutated. After each batch the server must still answer a valid call, every
 * call must have had its answer, and the server's resident memory must stay bounded.
 * Reproduce a run with PROMETHIUM_FUZZ_SEED=<the printed seed>.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { apiContract, methodNames, type JobInfo } from '../../preload/contract';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../preload/wire';
import { seededRandom } from '../../main/signal/random';
import { startServer, type RunningServer } from '../e2e/harness';
import { clientFrame, openRawWebSocket, rawHttp, statusOf, type FrameSpec } from '../support/rawSocket';
import { mutate, sampleFromSchema, sampleJson, type Random } from '../support/schemaSamples';

const SEED = Number(process.env.PROMETHIUM_FUZZ_SEED ?? 17);
const HTTP_REQUESTS = 5000;
const RAW_FRAMES = 8000;
const CALLS = 8000;
const BATCH = 1000;
/** Growth of the server's resident memory over the run allowed before it counts as a leak. */
const RSS_GROWTH_LIMIT_BYTES = 200 * 1024 * 1024;

let server: RunningServer;
let port: number;
let dataDir: string;
let emptyDir: string;
let baselineRss = 0;
let peakRss = 0;
const random = seededRandom(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Runs `task(0..count-1)` with at most `concurrency` at once. */
async function inParallel(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function openApi(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/api?token=${server.token}`, {
      headers: { origin: server.origin },
      handshakeTimeout: 10_000,
    });
    ws.binaryType = 'arraybuffer';
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends calls and resolves with each answer by id (undefined for a call left unanswered after `timeoutMs`). */
function callAll(ws: WebSocket, frames: { id: number; frame: Uint8Array }[], timeoutMs = 20_000) {
  return new Promise<(Extract<ServerMessage, { t: 'result' }> | undefined)[]>((resolve) => {
    const answers = new Map<number, Extract<ServerMessage, { t: 'result' }>>();
    const wanted = new Set(frames.map(({ id }) => id));
    const finish = (): void => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve(frames.map(({ id }) => answers.get(id)));
    };
    const onMessage = (data: ArrayBuffer): void => {
      const message = decodeFrame(data) as ServerMessage;
      if (message.t !== 'result' || !wanted.has(message.id)) return;
      answers.set(message.id, message);
      if (answers.size === frames.length) finish();
    };
    if (frames.length === 0) return resolve([]);
    const timer = setTimeout(finish, timeoutMs);
    ws.on('message', onMessage);
    for (const { frame } of frames) ws.send(frame);
  });
}

/** After each batch: a fresh connection gets an answer to a valid call, and memory has not run away. */
async function checkServer(label: string): Promise<void> {
  const ws = await openApi();
  const [answer] = await callAll(ws, [
    { id: 1, frame: encodeFrame({ t: 'call', id: 1, method: 'project.current', args: [] }) },
  ]);
  expect(answer?.ok, `${label}: the server answers a valid call`).toBe(true);
  // Jobs a fuzzed call started (the self-test takes sizes up to 40 G samples) are cancelled, to keep the run bounded.
  const [jobs] = await callAll(ws, [
    { id: 2, frame: encodeFrame({ t: 'call', id: 2, method: 'jobs.list', args: [] }) },
  ]);
  const unfinished = jobs?.ok
    ? (jobs.value as JobInfo[]).filter((job) => ['queued', 'running'].includes(job.state))
    : [];
  await callAll(
    ws,
    unfinished.map((job, i) => ({
      id: 10 + i,
      frame: encodeFrame({ t: 'call', id: 10 + i, method: 'jobs.cancel', args: [job.id] }),
    })),
  );
  ws.close();
  const rss = rssBytes(server.pid);
  peakRss = Math.max(peakRss, rss);
  expect(rss - baselineRss, `${label}: resident memory growth`).toBeLessThan(RSS_GROWTH_LIMIT_BYTES);
}

beforeAll(async () => {
  console.log(`server fuzz seed ${SEED} (set PROMETHIUM_FUZZ_SEED to reproduce another run)`);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'promethium-fuzz-data-'));
  emptyDir = mkdtempSync(path.join(os.tmpdir(), 'promethium-fuzz-path-'));
  writeFileSync(path.join(dataDir, 'not-segy.sgy'), 'not a SEG-Y file');
  symlinkSync('/etc', path.join(dataDir, 'link-out'));
  // An empty PATH: the cluster.* calls then find no Slurm at once, where an installed Slurm without a controller takes
  // seconds to give up on each (the fuzz would time Slurm, not the server). The server runs by absolute path.
  server = await startServer({ env: { PROMETHIUM_DATA_DIRS: dataDir, PATH: emptyDir } });
  port = Number(new URL(server.origin).port);
  await checkServer('start');
  baselineRss = rssBytes(server.pid);
  peakRss = baselineRss;
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
  if (baselineRss) {
    const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
    console.log(`server fuzz: resident memory ${mib(baselineRss)} MiB at start, ${mib(peakRss)} MiB at most`);
  }
});

// ---------------------------------------------------------------------------------------------------------------------
// Raw HTTP
// ---------------------------------------------------------------------------------------------------------------------

function randomBytesText(length: number): string {
  return Array.from({ length }, () => String.fromCharCode(between(0, 255))).join('');
}

function requestTarget(): string {
  return pick([
    () => '/',
    () => '/index.html',
    () => `/?token=${pick([server.token, 'wrong', '', server.token + 'x'])}`,
    () => 'http://a:b:c/',
    () => `http://${randomBytesText(between(0, 12))}/`,
    () => '*',
    () => '//evil.example/x',
    () => `/%${randomBytesText(2)}`,
    () => '/..%2f..%2f..%2fetc/passwd',
    () => '/' + 'a'.repeat(between(100, 20_000)),
    () => '/api',
    () => randomBytesText(between(0, 40)),
  ])();
}

function header(): string {
  return pick([
    () => `Host: 127.0.0.1:${port}`,
    () => `Host: localhost:${port}`,
    () => `Host: evil.example:${port}`,
    () => 'Host: ',
    () => `Authorization: Bearer ${pick([server.token, 'nope', ''])}`,
    () => `Cookie: promethium_token_${port}=${pick([server.token, 'nope'])}`,
    () => 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13',
    () => `Sec-WebSocket-Key: ${pick(['dGhlIHNhbXBsZSBub25jZQ==', '', randomBytesText(8)])}`,
    () => `Origin: ${pick([server.origin, 'http://evil.example', 'null', ''])}`,
    () => `Content-Length: ${pick(['0', '5', '-1', '99999999999', 'x'])}`,
    () => 'Transfer-Encoding: chunked',
    () => `X-Junk: ${'j'.repeat(between(1, 20_000))}`,
    () => `${randomBytesText(between(1, 10))}: ${randomBytesText(between(0, 20))}`,
    () => randomBytesText(between(0, 30)),
  ])();
}

function httpRequest(): string {
  const method = pick(['GET', 'GET', 'HEAD', 'POST', 'PUT', 'OPTIONS', 'CONNECT', 'TRACE', 'G\u0000T', '', 'GET GET']);
  const version = pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTX/1.1', '']);
  const headers = Array.from({ length: between(0, 6) }, header);
  return `${method} ${requestTarget()} ${version}\r\n${headers.map((h) => h + '\r\n').join('')}\r\n`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Raw WebSocket frames
// ---------------------------------------------------------------------------------------------------------------------

/** Seeded noise that random payloads are cut from (drawing each byte anew costs more than the server's work). */
const NOISE = new Uint8Array(1_200_000).map(() => between(0, 255));

function framePayload(size: number): Uint8Array {
  if (random() < 0.5) {
    const start = between(0, NOISE.length - size);
    return NOISE.slice(start, start + size);
  }
  // A well-formed call with a few bytes flipped, grown or cut to the size.
  const call = encodeFrame({ t: 'call', id: between(0, 100), method: pick(methodNames()), args: [] });
  const payload = new Uint8Array(size);
  payload.set(call.subarray(0, size));
  for (let flips = between(0, 3); flips > 0 && size > 0; flips--) payload[between(0, size - 1)]! ^= between(1, 255);
  return payload;
}

function payloadSize(): number {
  const sizeClass = pick(['empty', 'small', 'small', 'medium', 'large']);
  if (sizeClass === 'empty') return 0;
  if (sizeClass === 'small') return between(1, 125); // 7-bit length
  if (sizeClass === 'medium') return between(126, 65_535); // 16-bit length
  return random() < 0.05 ? between(65_536, NOISE.length) : between(126, 4096); // 64-bit length, now and then
}

/** A frame the protocol allows (data, ping, pong; masked, reserved bits clear), so the server reads the next one. */
function allowedFrame(): FrameSpec[] {
  const roll = random();
  if (roll < 0.1) return [{ opcode: pick([9, 10]), payload: framePayload(between(0, 125)) }];
  if (roll < 0.2) {
    // One message in two fragments.
    const payload = framePayload(payloadSize());
    const cut = between(0, payload.length);
    return [
      { opcode: 2, payload: payload.slice(0, cut), fin: false },
      { opcode: 0, payload: payload.slice(cut) },
    ];
  }
  return [{ opcode: 2, payload: framePayload(payloadSize()) }];
}

/** Any frame at all: every opcode, reserved bits, unmasked, lengths that lie; the server may close at it. */
function anyFrame(): FrameSpec {
  const size = payloadSize();
  return {
    opcode: between(0, 15),
    payload: framePayload(size),
    fin: random() < 0.8,
    rsv: random() < 0.7 ? 0 : between(1, 7),
    masked: random() < 0.8,
    claimedLength: random() < 0.2 ? pick([size + 1, 65_536, 2 ** 31, 2 ** 53 - 1]) : undefined,
  };
}

/**
 * One upgraded connection: frames the protocol allows, then one frame of any kind, so every frame counted reaches the
 * server's parser (after a frame that breaks the protocol it closes, and reads no more). Returns the frames sent.
 */
async function frameBurst(allowed: number): Promise<number> {
  const raw = await openRawWebSocket(server.origin, server.token);
  const frames = [...Array.from({ length: allowed }, allowedFrame).flat(), anyFrame()];
  for (const frame of frames) raw.send(clientFrame(frame));
  raw.end();
  await raw.closed;
  return frames.length;
}

// ---------------------------------------------------------------------------------------------------------------------
// Calls from the contract's schemas, mutated
// ---------------------------------------------------------------------------------------------------------------------

function methodName(): string {
  if (random() < 0.85) return pick(methodNames());
  return pick([
    () => '__proto__.toString',
    () => 'jobs.constructor',
    () => 'project.current.extra',
    () => pick(methodNames()).toUpperCase(),
    () => randomBytesText(between(0, 20)),
    () => '',
  ])();
}

function callArguments(method: string, paths: readonly string[]): unknown {
  const [ns, name] = method.split('.');
  const methods = Object.hasOwn(apiContract, ns ?? '') ? (apiContract as Record<string, object>)[ns!] : undefined;
  const spec =
    methods && Object.hasOwn(methods, name ?? '') ? (methods as Record<string, { args: never }>)[name!] : undefined;
  if (!spec || random() < 0.05) return sampleJson(random, 3);
  const args = sampleFromSchema(spec.args, random as Random, paths);
  return random() < 0.5 ? mutate(args, random) : args;
}

describe('browser-mode server under a seeded fuzz', () => {
  it(`survives ${HTTP_REQUESTS} raw HTTP requests`, { timeout: 100_000 }, async () => {
    const statuses = new Map<number, number>();
    for (let done = 0; done < HTTP_REQUESTS; done += BATCH) {
      await inParallel(BATCH, 32, async () => {
        const status = statusOf(await rawHttp(port, httpRequest(), 1000));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      });
      await checkServer(`after ${done + BATCH} HTTP requests`);
    }
    console.log(`HTTP answers by status (0 = closed without one): ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(statuses.get(400)).toBeGreaterThan(0);
  });

  it(`survives ${RAW_FRAMES} raw WebSocket frames of every opcode and size class`, { timeout: 100_000 }, async () => {
    let sent = 0;
    for (let batchEnd = BATCH; batchEnd <= RAW_FRAMES; batchEnd += BATCH) {
      await inParallel(16, 16, async () => {
        while (sent < batchEnd) {
          const frames = await frameBurst(between(10, 40));
          sent += frames; // after the await: `sent += await …` would add to a stale total
        }
      });
      await checkServer(`after ${sent} raw frames`);
    }
  });

  it(`answers every one of ${CALLS} fuzzed calls from the contract's schemas`, { timeout: 100_000 }, async () => {
    const paths = [
      dataDir,
      path.join(dataDir, 'not-segy.sgy'),
      path.join(dataDir, 'link-out', 'shadow'),
      path.join(dataDir, '..'),
      path.join(dataDir, 'new', 'out.sgy'),
      '/etc/shadow',
      'relative/file.sgy',
    ];
    const connections = await Promise.all(Array.from({ length: 4 }, openApi));
    let nextId = 1;
    for (let done = 0; done < CALLS; done += BATCH) {
      await inParallel(BATCH / 25, connections.length, async (window) => {
        const frames = Array.from({ length: 25 }, () => {
          const id = nextId++;
          const method = methodName();
          const args = callArguments(method, paths);
          return { id, frame: encodeFrame({ t: 'call', id, method, args: args as unknown[] }) };
        });
        const answers = await callAll(connections[window % connections.length]!, frames);
        expect(answers.filter((answer) => answer === undefined)).toHaveLength(0);
      });
      await checkServer(`after ${done + BATCH} calls`);
    }
    for (const ws of connections) ws.close();
  });
});
