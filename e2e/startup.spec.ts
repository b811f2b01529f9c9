/**
 * `next start` validates configuration before serving: without signing keys it exits with one line
 * saying why, instead of failing on the first sign-in. `npm start` checks the same configuration
 * before `next start` even runs (scripts/check-config.ts), so a refused start never prints "Ready".
 * A started `npm start` keeps idle connections longer than the proxies that pool them.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { expect, test } from '@playwright/test';
import { OWN_SERVERS } from './support/servers';
import { freePort, KEEP_ALIVE_TIMEOUT_MS, waitUntilServing } from '../scripts/lib/local-server';

// These start `next start` from this checkout's build: nothing to do with a deployment elsewhere.
test.skip(!OWN_SERVERS, 'checks this checkout\'s own build; not run against E2E_BASE_URL');

function startServer(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Port 0: the server exits during start-up, before it would listen, so no fixed port is needed.
    const child = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '--port', '0'], {
      // An empty value is not overridden by .env.local, so the generated dev key cannot sneak in.
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('next start did not exit within 20 s'));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

test('next start refuses to start without ACCESS_TOKEN_KEYS, with a one-line reason', async () => {
  const { code, stderr } = await startServer({ ACCESS_TOKEN_KEYS: '' });
  expect(code).toBe(1);
  const lines = stderr.trim().split('\n');
  expect(lines).toEqual(['Refusing to start: Invalid configuration: ACCESS_TOKEN_KEYS is required (see README, "Configuration")']);
});

test('next start refuses a signing key that is too short', async () => {
  const { code, stderr } = await startServer({ ACCESS_TOKEN_KEYS: 'k1:c2hvcnQ' });
  expect(code).toBe(1);
  expect(stderr).toContain('shorter than 32 bytes');
});

test('next start refuses the development key that npm install generates', async () => {
  const key = `dev-2026-01-01:${Buffer.alloc(32, 7).toString('base64url')}`;
  const { code, stderr } = await startServer({ ACCESS_TOKEN_KEYS: key });
  expect(code).toBe(1);
  expect(stderr).toContain('Refusing to start: ACCESS_TOKEN_KEYS holds a development key');
});

/** `npm start` exactly as README gives it; both output streams, since "Ready" goes to stdout. */
function npmStart(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['start', '--', '--port', '0'], {
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      // npm starts next in a child of its own: stop the whole group.
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`npm start did not exit within 20 s:\n${stdout}${stderr}`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('npm start without a signing key refuses before it listens: no "Ready" line, a non-zero exit and the fix in one line', async () => {
  const { code, stdout, stderr } = await npmStart({ ACCESS_TOKEN_KEYS: '' });
  expect(code).not.toBe(0);
  expect(stdout + stderr).not.toContain('Ready');
  const refusal = stderr.split('\n').filter((line) => line.startsWith('Refusing to start:'));
  expect(refusal).toHaveLength(1);
  expect(refusal[0]).toContain('ACCESS_TOKEN_KEYS is required');
  expect(refusal[0]).toContain('Fix: ACCESS_TOKEN_KEYS="prod-1:$(node -e');
});

test('npm start with the development key refuses before it listens', async () => {
  const key = `dev-2026-01-01:${Buffer.alloc(32, 7).toString('base64url')}`;
  const { code, stdout, stderr } = await npmStart({ ACCESS_TOKEN_KEYS: key });
  expect(code).not.toBe(0);
  expect(stdout + stderr).not.toContain('Ready');
  expect(stderr).toContain('Refusing to start: ACCESS_TOKEN_KEYS holds a development key');
});

test('npm start keeps an idle connection 65 s, longer than a proxy that pools it, and says so on every answer', async () => {
  const port = await freePort();
  const key = `e2e-start:${randomBytes(32).toString('base64url')}`;
  const child = spawn('npm', ['start', '--', '--port', String(port)], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ACCESS_TOKEN_KEYS: key, DATABASE_URL: 'file:./e2e/.tmp/main.db' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  try {
    await waitUntilServing(`http://localhost:${port}`, child, () => output);
    // Node's own client, which shows the Keep-Alive header as the server wrote it.
    const keepAlive = await new Promise<string | string[] | undefined>((resolve, reject) => {
      const sent = httpRequest({ port, path: '/api/health', headers: { connection: 'keep-alive' } }, (response) => {
        response.resume();
        resolve(response.headers['keep-alive']);
      });
      sent.on('error', reject);
      sent.end();
    });
    expect(keepAlive).toBe(`timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
  } finally {
    // npm starts next in a child of its own: stop the whole group.
    process.kill(-child.pid!, 'SIGKILL');
  }
});
