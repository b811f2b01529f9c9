/**
 * In-process micro-benchmarks (tinybench), run by run.ts as a child process per check mode with the
 * benchmark's database and key in its environment. Prints one JSON line: MicroReport.
 *
 * - jose verification per algorithm, with the key imported once (what lib/tokens/access-token.ts
 *   does) and given raw each call (bytes for HS256, a JWK as a JWKS would give it for ES256 and EdDSA);
 * - the stateless read through the data access layer (`verifySession`: what GET /api/me does), in
 *   this process's ACCESS_TOKEN_CHECK mode;
 * - one session-row lookup through Prisma (`findActiveSession`: what every sensitive action does);
 * - SHA-256 of a refresh token (how one is found in the database).
 * With `--database-only` (run.ts's run for each further deployment), only the session-row lookup: the
 * one row here that depends on the database.
 */
import { webcrypto } from 'node:crypto';
import { Bench } from 'tinybench';
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import { getConfig } from '../../lib/config/config';
import { verifySession } from '../../lib/dal';
import { findActiveSession } from '../../lib/session/session-lookup';
import { cookieNames } from '../../lib/tokens/cookies';
import { generateRefreshToken, hashRefreshToken } from '../../lib/tokens/refresh-token';
import { db } from '../../lib/db/client';
import { databaseProvider } from '../../lib/config/database-url';
import { seedDatabase, signedInCookie } from './fixtures';

export type MicroResult = { name: string; group: string; meanMicroseconds: number; p50Microseconds: number; p99Microseconds: number; samples: number };
export type MicroReport = { mode: string; modeSupported: boolean; database: string; results: MicroResult[]; notes: string[] };

const quick = process.argv.includes('--quick');
const databaseOnly = process.argv.includes('--database-only');
const database = databaseProvider(getConfig().DATABASE_URL) === 'postgresql' ? 'PostgreSQL' : 'SQLite';
const mode = process.env.ACCESS_TOKEN_CHECK ?? 'stateless';
const notes: string[] = [];

// Does this build know the check modes at all? The configuration parses only the variables it knows.
const modeSupported = 'ACCESS_TOKEN_CHECK' in (getConfig() as Record<string, unknown>);

const bench = new Bench({ time: quick ? 50 : 600, warmupTime: quick ? 20 : 200 });
const groups = new Map<string, string>();
const add = (group: string, name: string, fn: () => unknown) => {
  groups.set(name, group);
  bench.add(name, fn);
};

async function joseTasks() {
  const claims = { sid: 's', email: 'alice@example.com' };
  const sign = (key: Parameters<SignJWT['sign']>[0], alg: string) =>
    new SignJWT(claims).setProtectedHeader({ alg }).setSubject('u').setIssuedAt().setExpirationTime('5m').sign(key);

  const secret = webcrypto.getRandomValues(new Uint8Array(32));
  const hmacKey = await webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const hs = await sign(hmacKey, 'HS256');
  add('jose verify', 'HS256, key imported once', () => jwtVerify(hs, hmacKey, { algorithms: ['HS256'] }));
  add('jose verify', 'HS256, raw secret each call', () => jwtVerify(hs, secret, { algorithms: ['HS256'] }));

  for (const alg of ['ES256', 'EdDSA'] as const) {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const token = await sign(privateKey, alg);
    const jwk: JWK = await exportJWK(publicKey);
    add('jose verify', `${alg}, key imported once`, () => jwtVerify(token, publicKey, { algorithms: [alg] }));
    // A fresh copy each call: jose caches the import of a JWK object it has seen, a JWKS response is new.
    add('jose verify', `${alg}, JWK each call`, () => jwtVerify(token, { ...jwk }, { algorithms: [alg] }));
  }
}

async function sessionTasks() {
  const { userId } = await seedDatabase();
  const { cookie, sessionId } = await signedInCookie(userId);
  const token = cookie.slice(cookie.indexOf('=') + 1);
  const jar = { get: (name: string) => (name === cookieNames().access ? { value: token } : undefined), has: () => false };
  const label = `access token through the DAL (${mode}${modeSupported || mode === 'stateless' ? '' : ', mode not in this build'})`;
  if (!databaseOnly) {
    add('session check', label, async () => {
      if (!(await verifySession({ cookies: jar }))) throw new Error('the token was refused');
    });
  }
  if (mode === 'stateless') {
    add('session check', `session row through Prisma (findActiveSession), ${database}`, async () => {
      if (!(await findActiveSession(sessionId, userId)).ok) throw new Error('the session was refused');
    });
  }
  if (mode === 'stateless' && !databaseOnly) {
    const refreshToken = generateRefreshToken();
    add('refresh token', 'SHA-256 of a refresh token', () => hashRefreshToken(refreshToken));
  }
}

if (mode === 'stateless' && !databaseOnly) await joseTasks();
if (mode !== 'stateless' && !modeSupported) {
  notes.push(`ACCESS_TOKEN_CHECK=${mode} is not in this build: its row measures the stateless path.`);
}
await sessionTasks();
await bench.run();

const results: MicroResult[] = [];
for (const task of bench.tasks) {
  const result = task.result;
  if (result.state !== 'completed') {
    const error = 'error' in result ? String(result.error) : result.state;
    throw new Error(`micro-benchmark "${task.name}" did not complete: ${error}`);
  }
  results.push({
    name: task.name,
    group: groups.get(task.name) ?? '',
    meanMicroseconds: result.latency.mean * 1000,
    p50Microseconds: (result.latency.p50 ?? result.latency.mean) * 1000,
    p99Microseconds: (result.latency.p99 ?? result.latency.max) * 1000,
    samples: result.latency.samplesCount,
  });
}
await db().$disconnect();
const report: MicroReport = { mode, modeSupported: mode === 'stateless' || modeSupported, database, results, notes };
console.log(JSON.stringify(report));
