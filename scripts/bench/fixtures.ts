/**
 * What the benchmark's requests carry: a seeded temporary database, access tokens signed with the
 * servers' key, and pools of fresh sessions for the refresh chains. The benchmark process shares the
 * servers' configuration (DATABASE_URL, ACCESS_TOKEN_KEYS: set by run.ts before anything reads it), so
 * it makes sessions with the app's own code, exactly as sign-in does minus the password check.
 */
import { randomUUID } from 'node:crypto';
import { db } from '../../lib/db/client';
import { signAccessToken } from '../../lib/tokens/access-token';
import { cookieNames } from '../../lib/tokens/cookies';
import { absoluteDeadline } from '../../lib/session/session-policy';
import { generateRefreshToken, hashRefreshToken } from '../../lib/tokens/refresh-token';
import { createSession } from '../../lib/session/session-store';
import { DEMO_PASSWORD, DEMO_USERS, seedDemoUsers } from '../lib/seed';

export const BENCH_USER = DEMO_USERS[0];
const META = { ipAddress: '127.0.0.1', userAgent: 'npm run bench' };

export async function seedDatabase(): Promise<{ userId: string }> {
  await seedDemoUsers();
  const user = await db().user.findUniqueOrThrow({ where: { email: BENCH_USER }, select: { id: true } });
  return { userId: user.id };
}

/** A live session and an access token for it: the `Cookie` header a signed-in browser sends to pages and APIs. */
export async function signedInCookie(userId: string): Promise<{ cookie: string; sessionId: string }> {
  const { session } = await createSession(userId, META);
  const { token } = await signAccessToken({ userId, email: BENCH_USER, sessionId: session.id });
  return { cookie: `${cookieNames().access}=${token}`, sessionId: session.id };
}

/**
 * `count` fresh sessions, each with its first refresh token, as sign-in leaves them. Written in two
 * bulk inserts (the same rows createSession writes) so a pool of thousands takes a moment, not the
 * benchmark's time.
 */
export async function refreshTokenPool(userId: string, count: number): Promise<string[]> {
  const now = new Date();
  const sessions = Array.from({ length: count }, () => ({ id: randomUUID(), token: generateRefreshToken() }));
  await db().session.createMany({
    data: sessions.map(({ id }) => ({
      id,
      userId,
      createdAt: now,
      lastActiveAt: now,
      authenticatedAt: now,
      expiresAt: absoluteDeadline(now),
      userAgent: META.userAgent,
      ipAddress: META.ipAddress,
    })),
  });
  await db().refreshToken.createMany({
    data: sessions.map(({ id, token }) => ({ sessionId: id, tokenHash: hashRefreshToken(token), createdAt: now })),
  });
  return sessions.map((s) => s.token);
}

/** What went wrong with rotation chains, read from the database after they ran. */
export async function reuseDetections(since: Date): Promise<number> {
  return db().securityEvent.count({ where: { type: 'refresh_token_reuse', createdAt: { gte: since } } });
}

/**
 * Does `server` refuse an access token whose session was signed out? A stateless server keeps
 * accepting it until it expires (the premise); a server with a working revocation list refuses it.
 * Signs a fresh session in, signs it out through the server's own logout endpoint, then asks
 * GET /api/me with the copy for up to `waitMs`.
 */
export async function refusesSignedOutToken(url: string, userId: string, waitMs = 3_000): Promise<boolean> {
  const { cookie } = await signedInCookie(userId);
  const logout = await fetch(`${url}/api/auth/logout`, { method: 'POST', headers: { cookie, origin: url }, redirect: 'manual' });
  if (logout.status >= 400) throw new Error(`logout answered ${logout.status}`);
  const deadline = Date.now() + waitMs;
  do {
    const me = await fetch(`${url}/api/me`, { headers: { cookie } });
    await me.arrayBuffer();
    if (me.status === 401) return true;
    if (me.status !== 200) throw new Error(`GET /api/me answered ${me.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  } while (Date.now() < deadline);
  return false;
}

/**
 * The account the timed sign-ins use: not BENCH_USER, whose thousands of pooled sessions a sign-in
 * would end as over MAX_SESSIONS_PER_USER (measuring that, and ending the sessions later rounds use).
 */
const SIGN_IN_USER = DEMO_USERS[1];

/** One sign-in through the real endpoint: one Argon2id verification plus the session it creates. Milliseconds. */
export async function timedSignIn(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ email: SIGN_IN_USER, password: DEMO_PASSWORD }),
  });
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (response.status !== 200) throw new Error(`sign-in answered ${response.status}`);
  return elapsed;
}

/** Starts a server under `name` and says so; a small wrapper so run.ts reads as a list of steps. */
export async function startNamed<S extends { url: string }>(
  start: (options: { name: string; env: Record<string, string>; nodeOptions: string; nodeArgs?: string[] }) => Promise<S>,
  name: string,
  env: Record<string, string>,
  nodeOptions: string,
  nodeArgs: string[] = [],
): Promise<S> {
  const server = await start({ name, env, nodeOptions, nodeArgs });
  process.stderr.write(`  ${name}: ${server.url}\n`);
  return server;
}

/** PostgreSQL's settings by name (`current_setting`, as `SHOW` prints them): what the report says the deployment ran with. */
export async function postgresSettings<N extends string>(names: readonly N[]): Promise<Record<N, string>> {
  const settings = {} as Record<N, string>;
  for (const name of names) {
    const rows = await db().$queryRaw<{ value: string }[]>`SELECT current_setting(${name}) AS "value"`;
    settings[name] = rows[0].value;
  }
  return settings;
}

/**
 * SQLite's journal mode and synchronous setting as a fresh connection to the file gets them, as each
 * server's does (better-sqlite3 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1: NORMAL once the file is
 * in WAL mode). SQLite-only statements: the benchmark asks them of the SQLite deployment alone.
 */
export async function sqliteDurability(): Promise<{ journalMode: string; synchronous: string }> {
  const [journal] = await db().$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode');
  const [sync] = await db().$queryRawUnsafe<{ synchronous: bigint | number }[]>('PRAGMA synchronous');
  const level = Number(sync.synchronous);
  return { journalMode: journal.journal_mode.toUpperCase(), synchronous: ['OFF', 'NORMAL', 'FULL', 'EXTRA'][level] ?? String(level) };
}
