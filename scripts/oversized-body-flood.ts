/**
 * Memory exhaustion through request bodies, against a real `next start`: a flood of oversized
 * bodies must not grow the server's memory. Run after `next build`, from the project folder:
 *
 *   node --conditions=react-server --import tsx scripts/oversized-body-flood.ts [--port 3160]
 *
 * It starts its own server (own process group, own temporary database, its own port: never the e2e
 * servers' 3100/3101), warms it up, resets the kernel's peak-RSS counter (Linux: /proc/PID/clear_refs),
 * then sends ROUNDS x PARALLEL chunked bodies of 50 MB each (no Content-Length, so the server cannot
 * refuse by the header alone and must cut the stream), plus PARALLEL bodies declaring 400 MB. It
 * reports the peak RSS during the flood (VmHWM, which no sampling can miss), fails above a bound, and
 * stops the server. Linux only, on purpose: VmHWM is the honest number.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyMigrations } from './lib/migrations';

const argPort = process.argv.indexOf('--port');
const PORT = argPort > 0 ? Number(process.argv[argPort + 1]) : 3160;
const ORIGIN = `http://localhost:${PORT}`;
const BODY_BYTES = 50 * 1024 * 1024;
const ROUNDS = 4;
const PARALLEL = 8;
/** Peak RSS may rise by at most this over the warmed-up baseline during the whole flood. */
const MAX_GROWTH_BYTES = 64 * 1024 * 1024;

function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/**
 * One attack request: a JSON content type and an endless supply of 64 KB chunks until `totalBytes` or
 * until the server answers. Resolves with the status (or the socket error) and the bytes the client
 * managed to hand to its socket.
 */
function oversizedPost(options: { totalBytes: number; declareLength: boolean }) {
  return new Promise<{ status: number | string; sentBytes: number }>((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    let answered = false;
    const headers: Record<string, string> = { 'content-type': 'application/json', origin: ORIGIN };
    if (options.declareLength) headers['content-length'] = String(options.totalBytes);
    const req = http.request(`${ORIGIN}/api/auth/signup`, { method: 'POST', headers });
    const finish = (status: number | string) => {
      if (answered) return;
      answered = true;
      req.destroy();
      resolve({ status, sentBytes: sent });
    };
    req.on('response', (res) => {
      res.resume();
      finish(res.statusCode ?? 0);
    });
    req.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    const pump = () => {
      while (!answered && sent < options.totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** Resolves when `next start` prints that it is ready (no polling, no fixed waits). */
function ready(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      output += text;
      if (/Ready in/.test(output)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`next start exited (${code}) before it was ready:\n${output}`)));
  });
}

const directory = mkdtempSync(path.join(tmpdir(), 'body-flood-'));
const databaseUrl = `file:${path.join(directory, 'flood.db')}`;
await applyMigrations(databaseUrl);

const server = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '--port', String(PORT)], {
  detached: true,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    DATABASE_URL: databaseUrl,
    ACCESS_TOKEN_KEYS: `flood:${randomBytes(32).toString('base64url')}`,
  },
});
const stop = () => {
  try {
    process.kill(-server.pid!, 'SIGTERM');
  } catch {}
  rmSync(directory, { recursive: true, force: true });
};
process.on('exit', stop);

let failed = false;
try {
  await ready(server);
  // Warm-up: compile-free production routes still load modules and open the database on first use.
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${ORIGIN}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ email: `warm-${i}@example.com`, password: 'a long enough password' }),
    });
    if (res.status !== 201) throw new Error(`warm-up signup answered ${res.status}`);
  }
  await oversizedPost({ totalBytes: 1024 * 1024, declareLength: false });

  const pid = server.pid!;
  writeFileSync(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
  const baseline = memory(pid);
  console.log(`baseline RSS ${mb(baseline.rss)} (NODE_OPTIONS=${process.env.NODE_OPTIONS ?? 'unset'})`);

  const statuses = new Map<string, number>();
  let clientSent = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const results = await Promise.all([
      ...Array.from({ length: PARALLEL }, () => oversizedPost({ totalBytes: BODY_BYTES, declareLength: false })),
      ...(round === 0
        ? Array.from({ length: PARALLEL }, () => oversizedPost({ totalBytes: 400 * 1024 * 1024, declareLength: true }))
        : []),
    ]);
    for (const { status, sentBytes } of results) {
      statuses.set(String(status), (statuses.get(String(status)) ?? 0) + 1);
      clientSent += sentBytes;
    }
  }
  const after = memory(pid);
  const growth = after.peak - baseline.rss;
  const offered = ROUNDS * PARALLEL * BODY_BYTES + PARALLEL * 400 * 1024 * 1024;
  console.log(`offered ${mb(offered)}; the client got ${mb(clientSent)} into its sockets before the answer`);
  console.log(`answers: ${JSON.stringify(Object.fromEntries(statuses))}`);
  console.log(`peak RSS during the flood ${mb(after.peak)}: +${mb(growth)} over the baseline (bound ${mb(MAX_GROWTH_BYTES)})`);

  const me = await fetch(`${ORIGIN}/api/me`);
  console.log(`GET /api/me afterwards: ${me.status}`);
  if (growth > MAX_GROWTH_BYTES) {
    console.error('FAIL: memory grew with the size of the bodies');
    failed = true;
  }
  if ([...statuses.keys()].some((status) => status !== '413')) {
    console.error('FAIL: every oversized body must get 413');
    failed = true;
  }
  if (me.status !== 401) {
    console.error('FAIL: the server should still answer');
    failed = true;
  }
} finally {
  stop();
}
process.exit(failed ? 1 : 0);
