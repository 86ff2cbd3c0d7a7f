/**
 * A client below the HTTP and WebSocket libraries, for tests that must send what no library sends: request lines and
 * headers as raw bytes, and WebSocket frames built by hand (any opcode, reserved bits, lengths that lie), masked as a
 * client's must be. The upgrade itself is a real one, with the token and the server's own origin.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * Sends `request` as is and returns the head of the server's answer (status line and headers), or what came before the
 * server closed or `timeoutMs` passed. The socket is not half-closed first: Node's server drops answers to those.
 */
export function rawHttp(port: number, request: string | Buffer, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n\r\n')) done();
    });
    socket.on('close', done);
    socket.on('error', done);
  });
}

/** The status code of a raw HTTP answer (0 when there was none). */
export function statusOf(answer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
}

export interface FrameSpec {
  opcode: number;
  payload: Uint8Array;
  fin?: boolean;
  /** The three reserved bits, 0..7. */
  rsv?: number;
  masked?: boolean;
  /** The payload length the header claims, when it should lie. */
  claimedLength?: number;
}

/** One WebSocket frame as a client sends it (RFC 6455 section 5.2), masked unless told otherwise. */
export function clientFrame({ opcode, payload, fin = true, rsv = 0, masked = true, claimedLength }: FrameSpec): Buffer {
  const length = claimedLength ?? payload.length;
  const extended = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + extended + (masked ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  header[1] = (masked ? 0x80 : 0) | (extended === 0 ? length : extended === 2 ? 126 : 127);
  if (extended === 2) header.writeUInt16BE(length, 2);
  if (extended === 8) header.writeBigUInt64BE(BigInt(length), 2);
  const body = Buffer.from(payload);
  if (masked) {
    const mask = randomBytes(4);
    mask.copy(header, 2 + extended);
    for (let i = 0; i < body.length; i++) body[i]! ^= mask[i & 3]!;
  }
  return Buffer.concat([header, body]);
}

export interface RawWebSocket {
  send(bytes: Buffer): void;
  /** Sends what is written so far, then the end of the stream (the server reads all of it first). */
  end(): void;
  /** Resolves when the server has closed the connection. */
  closed: Promise<void>;
  destroy(): void;
}

/** A real WebSocket upgrade of /api with the token, then the bare socket. */
export function openRawWebSocket(origin: string, token: string): Promise<RawWebSocket> {
  const { host, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => undefined);
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      // Whatever the server sends afterwards (answers, a close frame) is read and dropped.
      socket.on('data', () => undefined);
      if (statusOf(head) !== 101) return reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      resolve({
        send: (bytes) => socket.write(bytes),
        end: () => socket.end(),
        closed,
        destroy: () => socket.destroy(),
      });
    };
    socket.on('data', onData);
    socket.on('connect', () =>
      socket.write(
        `GET /api?token=${token} HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${origin}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
          'Sec-WebSocket-Version: 13\r\n\r\n',
      ),
    );
  });
}
