import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** Resolves a URL path inside `root`, refusing anything that escapes it; directories and "/" give index.html. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const resolved = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (resolved !== root && !resolved.startsWith(root + path.sep)) return null;
  try {
    return statSync(resolved).isDirectory() ? path.join(resolved, 'index.html') : resolved;
  } catch {
    return null;
  }
}

export function sendStaticFile(response: ServerResponse, file: string, headers: Record<string, string>): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  response.writeHead(200, {
    ...headers,
    'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': String(size),
    'cache-control': 'no-cache',
  });
  // A file removed or unreadable after the stat ends the response; it never throws out of the stream.
  createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response);
}
