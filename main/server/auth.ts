import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'promethium_token';

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookieToken(request: IncomingMessage): string | undefined {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return value.join('=');
  }
  return undefined;
}

function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : undefined;
}

export type AuthResult = { ok: true; fromQuery: boolean } | { ok: false; status: 401 | 403; reason: string };

/**
 * A request is authorised by the session token in the URL (?token=, as printed at start), a cookie set from it, or a
 * Bearer header. No token at all is 401; a wrong one is 403.
 */
export function authorise(request: IncomingMessage, url: URL, token: string): AuthResult {
  const fromQuery = url.searchParams.get('token') ?? undefined;
  const presented = fromQuery ?? cookieToken(request) ?? bearerToken(request);
  if (presented === undefined)
    return { ok: false, status: 401, reason: 'this Promethium server needs its access token' };
  if (!sameToken(presented, token)) return { ok: false, status: 403, reason: 'wrong access token' };
  return { ok: true, fromQuery: fromQuery !== undefined };
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
