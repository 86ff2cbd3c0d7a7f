/**
 * `promethium serve` off loopback: without a certificate it refuses to start (the token would cross the network in
 * clear text) unless told --insecure; with --tls-cert/--tls-key it speaks HTTPS and marks its cookie Secure.
 * The certificate is made here with openssl (self-signed, for 127.0.0.1).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const home = mkdtempSync(path.join(os.tmpdir(), 'promethium-serve-tls-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function serve(args: string[]): {
  exit: Promise<{ code: number | null; output: string }>;
  url: Promise<string>;
  stop(): void;
} {
  const child = spawn(process.execPath, ['bin/promethium.cjs', 'serve', '--port', '0', ...args], {
    env: { ...process.env, PROMETHIUM_HOME: home, PROMETHIUM_NO_OPEN: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve) => {
    const look = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /running in the browser mode at (\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
  });
  const exit = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, output })),
  );
  return { exit, url, stop: () => child.kill('SIGTERM') };
}

describe('promethium serve off loopback', () => {
  it('refuses a non-loopback --host without TLS or --insecure, and a certificate without its key', async () => {
    const plain = await serve(['--host', '0.0.0.0']).exit;
    expect(plain.code).toBe(2);
    expect(plain.output).toMatch(/--host 0\.0\.0\.0 exposes the app.*--tls-cert and --tls-key.*--insecure/s);
    const halfTls = await serve(['--tls-cert', path.join(home, 'cert.pem')]).exit;
    expect(halfTls.code).toBe(2);
    expect(halfTls.output).toMatch(/go together/);
  });

  it('serves HTTPS with the certificate given, and sets a Secure cookie', async () => {
    const cert = path.join(home, 'cert.pem');
    const key = path.join(home, 'key.pem');
    const openssl = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    expect(openssl.status, openssl.stderr.toString()).toBe(0);
    const server = serve(['--tls-cert', cert, '--tls-key', key]);
    try {
      const url = await server.url;
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/\?token=/);
      const answer = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
        https
          .get(url, { rejectUnauthorized: false }, (response) => {
            response.resume();
            resolve({ status: response.statusCode ?? 0, cookie: String(response.headers['set-cookie'] ?? '') });
          })
          .on('error', reject);
      });
      expect(answer.status).toBe(303);
      expect(answer.cookie).toMatch(/HttpOnly; SameSite=Strict; Path=\/; Secure/);
    } finally {
      server.stop();
      await server.exit;
    }
  });
});
