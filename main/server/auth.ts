import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

/**
 * Browsers share cookies between ports of one host, so two servers on one machine would overwrite each other's cookie:
 * the name carries the port.
 */
export function tokenCookieName(port: number): string {
  return `promethium_token_${port}`;
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookieToken(request: IncomingMessage, cookieName: string): string | undefined {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === cookieName) return value.join('=');
  }
  return undefined;
}

function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : undefined;
}

export type AuthResult = { ok: true; fromQuery: boolean } | { ok: false; status: 401 | 403; reason: string };

/**
 * A request is authorised by the session token in the URL (?token=, as printed at start), the cookie set from it, or a
 * Bearer header. No token at all is 401; a wrong one is 403.
 */
export function authorise(request: IncomingMessage, url: URL, token: string, cookieName: string): AuthResult {
  const fromQuery = url.searchParams.get('token') ?? undefined;
  const presented = fromQuery ?? cookieToken(request, cookieName) ?? bearerToken(request);
  if (presented === undefined)
    return { ok: false, status: 401, reason: 'this Promethium server needs its access token' };
  if (!sameToken(presented, token)) return { ok: false, status: 403, reason: 'wrong access token' };
  return { ok: true, fromQuery: fromQuery !== undefined };
}

/**
 * The Host header values this server answers: its loopback names and the address it was told to bind, with its port.
 * A page on another name that resolves here (DNS rebinding) sends that other name, and is refused even with the token.
 */
export function allowedHosts(bindHost: string, port: number): Set<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]', isIP(bindHost) === 6 ? `[${bindHost}]` : bindHost];
  return new Set(names.map((name) => `${name.toLowerCase()}:${port}`));
}

export function isAllowedHost(request: IncomingMessage, allowed: Set<string>): boolean {
  const host = request.headers.host;
  return host !== undefined && allowed.has(host.toLowerCase());
}

/** WebSocket upgrades must come from a page this server served: same scheme, host and port. */
export function isSameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (!origin || !host) return false;
  try {
    const parsed = new URL(origin);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host === host;
  } catch {
    return false;
  }
}
