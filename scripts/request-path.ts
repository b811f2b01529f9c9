/**
 * Which of the project's files a request runs through: `npm run request-path`.
 *
 * A newcomer following one request should not need to open twenty files. This drives a refresh
 * (`POST /api/auth/refresh`) and a payment (the send-payment server action) through the proxy and the
 * handler in-process, against a throwaway SQLite database, and lists every project file in which at
 * least one function ran for that request. V8's precise coverage counts calls; the counters are reset
 * after a warm-up request, so module loading and first-call set-up are not counted.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NextRequest as Request } from 'next/server';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { applyMigrations } from './lib/migrations';

const ROOT = path.resolve(import.meta.dirname, '..');
const ORIGIN = 'http://localhost:3000';
const PASSWORD = 'a request-path password that is long enough';

type Coverage = { result: { url: string; functions: { ranges: { count: number }[] }[] }[] };

function projectFilesRun(coverage: Coverage): string[] {
  const root = pathToFileURL(ROOT).href + '/';
  return coverage.result
    .filter(({ url }) => url.startsWith(root) && !url.includes('/node_modules/') && !url.includes('/lib/generated/'))
    .filter(({ functions }) => functions.some((fn) => fn.ranges[0]?.count > 0))
    .map(({ url }) => url.slice(root.length))
    .filter((file) => !file.startsWith('scripts/'))
    .sort();
}

async function prepareDatabase(): Promise<() => void> {
  const directory = mkdtempSync(path.join(tmpdir(), 'request-path-'));
  process.env.DATABASE_URL = `file:${path.join(directory, 'path.db')}`;
  process.env.ACCESS_TOKEN_KEYS = `path:${randomBytes(32).toString('base64url')}`;
  process.env.APP_URL = ORIGIN;
  await applyMigrations(process.env.DATABASE_URL);
  return () => rmSync(directory, { recursive: true, force: true });
}

const cleanUp = await prepareDatabase();
const { NextRequest } = await import('next/server');
const { proxy, config: proxyConfig } = await import('../proxy');
const { POST: login } = await import('../app/api/auth/login/route');
const { POST: refresh } = await import('../app/api/auth/refresh/route');
const { runSensitiveAction } = await import('../lib/sensitive-actions/checked-action');
const { sendPaymentDefinition } = await import('../lib/sensitive-actions/send-payment-action');
const { cookieNames } = await import('../lib/tokens/cookies');
const { hashPassword } = await import('../lib/auth/password-hashing');
const { db } = await import('../lib/db/client');
const { ACTION_PROOF_PATH, KEY_PROOF_FIELD } = await import('../lib/binding/action-proof');

const { registerServerActions } = await import('../lib/request/server-actions');

const names = cookieNames();
const PAYMENT_ACTION_ID = 'ab'.repeat(21);
registerServerActions(new Map([['/payments', new Set([PAYMENT_ACTION_ID])]]));

function request(pathname: string, cookies: Record<string, string>, body?: unknown, extra: Record<string, string> = {}) {
  const headers = new Headers({ host: new URL(ORIGIN).host, origin: ORIGIN, 'sec-fetch-site': 'same-origin', ...extra });
  const pairs = Object.entries(cookies);
  if (pairs.length) headers.set('cookie', pairs.map(([name, value]) => `${name}=${value}`).join('; '));
  if (body !== undefined) headers.set('content-type', 'application/json');
  return new NextRequest(new URL(pathname, ORIGIN), { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

function cookiesFrom(response: Response, jar: Record<string, string>): Record<string, string> {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair.indexOf('=');
    jar[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return jar;
}

const password = await hashPassword(PASSWORD);
const alice = await db().user.create({ data: { email: `alice-${randomUUID()}@example.com`, passwordHash: password, balanceCents: 100_000 } });
const bob = await db().user.create({ data: { email: `bob-${randomUUID()}@example.com`, passwordHash: password } });

async function signIn(): Promise<Record<string, string>> {
  const response = await login(request('/api/auth/login', {}, { email: alice.email, password: PASSWORD }));
  if (response.status !== 200) throw new Error(`sign-in answered ${response.status}`);
  return cookiesFrom(response, {});
}

/**
 * Whether Next.js runs the proxy for `pathname`: its matcher is a path pattern whose one entry is also a
 * regular expression, anchored at both ends as Next.js anchors it.
 */
function proxyRunsFor(pathname: string): boolean {
  return proxyConfig.matcher.some((pattern) => new RegExp(`^${pattern}$`).test(pathname));
}

async function throughProxy(req: Request): Promise<void> {
  if (!proxyRunsFor(req.nextUrl.pathname)) return;
  const through = await proxy(req);
  if (through.headers.get('x-middleware-next') !== '1') throw new Error(`the proxy answered ${req.nextUrl.pathname} itself (${through.status})`);
}

async function oneRefresh(jar: Record<string, string>) {
  await throughProxy(request('/api/auth/refresh', jar));
  const response = await refresh(request('/api/auth/refresh', jar));
  if (response.status !== 200) throw new Error(`refresh answered ${response.status}`);
  cookiesFrom(response, jar);
}

async function onePayment(jar: Record<string, string>) {
  // The client router's call of the page's action: its id (registered as the build's manifest would),
  // and React's encoding of the arguments, a JSON array.
  const post = request('/payments', jar, undefined, { 'next-action': PAYMENT_ACTION_ID, 'content-type': 'text/plain;charset=UTF-8' });
  await throughProxy(new NextRequest(post.url, { method: 'POST', headers: post.headers, body: '["$K1"]' }));
  const form = new FormData();
  form.set('recipient', bob.email);
  form.set('amount', '1.00');
  form.set('idempotencyKey', randomUUID());
  form.set(KEY_PROOF_FIELD, await pageKey.prove(`${ORIGIN}${ACTION_PROOF_PATH}`));
  const sensitiveRequest = {
    headers: new Headers({ origin: ORIGIN, host: new URL(ORIGIN).host }),
    accessToken: jar[names.access],
    mayRenew: true,
    cookies: { set() {} },
    now: new Date(),
  };
  const result = await runSensitiveAction(sendPaymentDefinition, sensitiveRequest, form);
  if (result.status !== 'success') throw new Error(`payment refused: ${JSON.stringify(result)}`);
}

/** The key the signing-in page made, as a browser's: its public half's thumbprint, and proofs for one request. */
async function makePageKey() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const { kty, crv, x, y } = await exportJWK(publicKey);
  const jwk = { kty: kty!, crv: crv!, x: x!, y: y! };
  return {
    thumbprint: await calculateJwkThumbprint(jwk, 'sha256'),
    prove: (url: string) =>
      new SignJWT({ jti: randomUUID(), htm: 'POST', htu: url, iat: Math.floor(Date.now() / 1000) })
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
        .sign(privateKey),
  };
}
const pageKey = await makePageKey();

async function measure(label: string, run: () => Promise<void>, session: Session) {
  await run(); // warm-up: modules load, caches fill
  await session.post('Profiler.takePreciseCoverage'); // resets the counters
  await run();
  const files = projectFilesRun((await session.post('Profiler.takePreciseCoverage')) as Coverage);
  const folders = new Set(files.map((file) => path.dirname(file)));
  console.log(`\n${label}: ${files.length} files in ${folders.size} folders`);
  for (const file of files) console.log(`  ${file}`);
}

const session = new Session();
session.connect();
try {
  await session.post('Profiler.enable');
  await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
  const jar = await signIn();
  await measure('POST /api/auth/refresh (the route handler: the proxy does not match /api/)', () => oneRefresh(jar), session);
  // The payment measured is a bound session's within its step-up window, sent with its page key's proof:
  // the path a browser signed in through the form takes (an unbound one types the password with it:
  // decision 0107). The API sign-in above is unbound; the payment reads only the row's bindingKind and
  // page key, so marking them is enough.
  await db().session.updateMany({ where: { userId: alice.id }, data: { bindingKind: 'key_proof', pageKeyThumbprint: pageKey.thumbprint } });
  await measure('a payment (proxy, then the checked server action)', () => onePayment(jar), session);
} finally {
  session.disconnect();
  await db().$disconnect();
  cleanUp();
}
