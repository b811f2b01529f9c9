/**
 * A second server process for the revocation-list bound (tests/integration/revocation-list.test.ts):
 *
 *   node --conditions=react-server --import tsx tests/helpers/revocation-worker.ts
 *
 * Runs with the test's environment (DATABASE_URL, ACCESS_TOKEN_KEYS, ACCESS_TOKEN_CHECK=revocation-list)
 * plus WATCH_ACCESS_TOKEN. It registers its own revocation list the way instrumentation.ts does, then
 * sends `GET /dashboard` with that token through the real proxy function every POLL_MS, as a client
 * holding a copied token would against this server (APIs are outside the proxy; they read through the
 * same check, lib/tokens/read-check.ts).
 *
 * Protocol on stdout, one JSON object per line: `{"accepted":<ms>}` at the first request the proxy lets
 * through, `{"served":25}` once it has let 25 through; then `{"refused":<ms>,"lastAccepted":<ms>,"requests":<n>}`
 * at the first it refuses, and exit.
 * Each time is when that request was sent, on this machine's wall clock, which both processes share.
 */
import { NextRequest } from 'next/server';
import { proxy } from '../../proxy';
import { cookieNames } from '../../lib/tokens/cookies';
import { revocationList } from '../../lib/session/revocation-list';
import { db } from '../../lib/db/client';

const POLL_MS = 20;
const GIVE_UP_MS = 15_000;

const token = process.env.WATCH_ACCESS_TOKEN;
if (!token) throw new Error('revocation-worker: WATCH_ACCESS_TOKEN is required');
revocationList();

const request = () =>
  new NextRequest('http://localhost:3000/dashboard', { headers: { host: 'localhost:3000', cookie: `${cookieNames().access}=${token}` } });

/** After this many accepted reads the worker says so: the test signs out only then, however busy the machine. */
const SERVED_BEFORE_SIGN_OUT = 25;
const started = Date.now();
let lastAccepted: number | null = null;
let requests = 0;
while (Date.now() - started < GIVE_UP_MS) {
  // When the request was sent: a process starved of CPU answers late, but what it answers is judged
  // as of the moment it asked.
  const at = Date.now();
  const response = await proxy(request());
  requests += 1;
  // Refused: the proxy sends the page request to sign-in instead of letting it through.
  if (response.headers.get('x-middleware-next') !== '1') {
    process.stdout.write(`${JSON.stringify({ refused: at, lastAccepted, requests })}\n`);
    break;
  }
  if (lastAccepted === null) process.stdout.write(`${JSON.stringify({ accepted: at })}\n`);
  if (requests === SERVED_BEFORE_SIGN_OUT) process.stdout.write(`${JSON.stringify({ served: requests })}\n`);
  lastAccepted = at;
  await new Promise((resolve) => setTimeout(resolve, POLL_MS));
}
await db().$disconnect();
