import { describe, expect, it } from 'vitest';
import { APP_CONTENT_SECURITY_POLICY, isTrustedSenderUrl, mainWindowOptions } from './windowOptions';

describe('main window security', () => {
  const prefs = mainWindowOptions('/app/dist/preload.cjs').webPreferences!;

  it('isolates and sandboxes the renderer with no Node integration', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.preload).toBe('/app/dist/preload.cjs');
  });

  it('sends a CSP without remote scripts, eval or inline scripts', () => {
    const directives = Object.fromEntries(
      APP_CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]),
    );
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).not.toContain("'unsafe-inline'");
    expect(directives['script-src']).not.toContain("'unsafe-eval'");
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(APP_CONTENT_SECURITY_POLICY).not.toMatch(/https?:/);
  });

  it('trusts IPC only from app://promethium pages', () => {
    expect(isTrustedSenderUrl('app://promethium/index.html')).toBe(true);
    expect(isTrustedSenderUrl('file:///etc/passwd')).toBe(false);
    expect(isTrustedSenderUrl('https://promethium/index.html')).toBe(false);
    expect(isTrustedSenderUrl('app://evil/index.html')).toBe(false);
    expect(isTrustedSenderUrl('not a url')).toBe(false);
  });
});
