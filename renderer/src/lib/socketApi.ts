/**
 * The browser mode's implementation of the contract: the same `Api` as the Electron preload, over one WebSocket to the
 * Promethium server (binary frames, see preload/wire.ts). Calls made while disconnected wait for the reconnection.
 */
import {
  apiContract,
  isEventName,
  PromethiumError,
  type Api,
  type ApiErrorShape,
  type EventName,
} from '../../../preload/contract';
import { decodeFrame, encodeFrame, type ServerMessage } from '../../../preload/wire';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 10_000;

export interface SocketApiOptions {
  url: string;
  onConnectionChange?(connected: boolean): void;
}

export function createSocketApi({ url, onConnectionChange }: SocketApiOptions): Api {
  let socket: WebSocket | null = null;
  let open: Promise<WebSocket> | null = null;
  let nextId = 1;
  /** After a lost connection, retry with a growing delay (1 s .. 10 s) until the server answers again. */
  let everOpened = false;
  let retryDelayMs = RETRY_MIN_MS;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();

  function connect(): Promise<WebSocket> {
    if (open) return open;
    open = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        socket = ws;
        everOpened = true;
        retryDelayMs = RETRY_MIN_MS;
        onConnectionChange?.(true);
        resolve(ws);
      };
      ws.onmessage = (event) => receive(event.data as ArrayBuffer);
      ws.onclose = () => {
        const wasOpen = socket === ws;
        socket = null;
        open = null;
        for (const [id, call] of pending) {
          pending.delete(id);
          call.reject(new PromethiumError('unavailable', 'lost the connection to the Promethium server'));
        }
        if (wasOpen) {
          onConnectionChange?.(false);
          scheduleReconnect();
        } else {
          reject(new PromethiumError('unavailable', `cannot connect to the Promethium server at ${url}`));
          if (everOpened) scheduleReconnect();
        }
      };
    });
    return open;
  }

  function scheduleReconnect(): void {
    const delay = retryDelayMs;
    retryDelayMs = Math.min(retryDelayMs * 2, RETRY_MAX_MS);
    setTimeout(() => void connect().catch(() => undefined), delay);
  }

  function receive(data: ArrayBuffer): void {
    const message = decodeFrame(data) as ServerMessage;
    if (message.t === 'event') {
      if (isEventName(message.event))
        for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
      return;
    }
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if (message.ok) call.resolve(message.value);
    else call.reject(new PromethiumError(message.error.code, message.error.message));
  }

  async function call(method: string, args: unknown[]): Promise<unknown> {
    // JSON turns an omitted optional argument (undefined) into null; drop trailing ones so the schema sees them absent.
    while (args.length > 0 && args[args.length - 1] === undefined) args = args.slice(0, -1);
    const ws = await connect();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      ws.send(encodeFrame({ t: 'call', id, method, args }));
    });
  }

  const api: Record<string, unknown> = {
    on(event: EventName, listener: (payload: unknown) => void): () => void {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      void connect().catch(() => undefined);
      return () => set.delete(listener);
    },
  };
  for (const [namespace, methods] of Object.entries(apiContract)) {
    api[namespace] = Object.fromEntries(
      Object.keys(methods).map((name) => [name, (...args: unknown[]) => call(`${namespace}.${name}`, args)]),
    );
  }
  return api as unknown as Api;
}

export type { ApiErrorShape };
