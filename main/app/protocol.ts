import { net, protocol } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveStaticPath } from '../server/staticFiles';
import { APP_CONTENT_SECURITY_POLICY, APP_SCHEME } from './windowOptions';

/** Must run before app 'ready': app:// behaves like a secure standard origin (fetch, workers, storage). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** Serves the built renderer from app://promethium/ instead of file://, with the strict CSP on every response. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveStaticPath(rendererDir, new URL(request.url).pathname);
    if (!file) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(path.resolve(file)).toString());
    const headers = new Headers(response.headers);
    headers.set('content-security-policy', APP_CONTENT_SECURITY_POLICY);
    headers.set('x-content-type-options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}
