import { describe, expect, it } from 'vitest';
import { APP_CONTENT_SECURITY_POLICY, isAllowedExternalUrl, isAppPageUrl, mainWindowOptions } from './windowOptions';

describe('main window security', () => {
  const prefs = mainWindowOptions('/app/dist/preload.cjs', { devTools: false }).webPreferences!;

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

  it('has developer tools only when asked (unpackaged builds)', () => {
    expect(prefs.devTools).toBe(false);
    expect(mainWindowOptions('/p.cjs', { devTools: true }).webPreferences!.devTools).toBe(true);
  });

  it('navigates only within the app and opens only allow-listed https origins outside it', () => {
    expect(isAppPageUrl('app://promethium/index.html#survey')).toBe(true);
    expect(isAppPageUrl('https://example.org/')).toBe(false);
    const allowed = ['https://docs.example.org'];
    expect(isAllowedExternalUrl('https://docs.example.org/segy', allowed)).toBe(true);
    for (const url of [
      'http://docs.example.org/segy',
      'https://docs.example.org.evil.net/',
      'https://user@docs.example.org/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(isAllowedExternalUrl(url, allowed), url).toBe(false);
    }
    expect(isAllowedExternalUrl('https://docs.example.org/segy')).toBe(false); // the app's own list is empty
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
    expect(isAppPageUrl('app://promethium/index.html')).toBe(true);
    expect(isAppPageUrl('file:///etc/passwd')).toBe(false);
    expect(isAppPageUrl('https://promethium/index.html')).toBe(false);
    expect(isAppPageUrl('app://evil/index.html')).toBe(false);
    expect(isAppPageUrl('not a url')).toBe(false);
  });
});
