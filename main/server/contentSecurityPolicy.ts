/**
 * The one Content Security Policy of the renderer, for both hosts: no remote code, no eval (WebAssembly compilation
 * only), no inline scripts; inline styles are allowed for Svelte's style attributes. `connect` adds the browser mode's
 * WebSocket origin.
 */
export function contentSecurityPolicy(connect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    ["connect-src 'self'", ...connect].join(' '),
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
