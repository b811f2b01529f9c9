/**
 * ACCESS_TOKEN_CHECK=revocation-list: reads (the proxy, the data access layer) refuse an access token
 * whose session was revoked, across processes sharing one database, within a stated bound, without a
 * query per request, and fail closed. Real SQLite through Prisma; real child processes for the bound.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/revocation-list.test.ts
 *
 * The default (stateless) mode is tested in tests/integration/revocation-list-stateless.test.ts: the mode is
 * read once per process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';

process.env.ACCESS_TOKEN_CHECK = 'revocation-list';
process.env.ACCESS_TOKEN_TTL_SECONDS = '300';

const { meta, secondsLater, signedInUser } = await import('../helpers/fixtures');
const { NextRequest } = await import('next/server');
const { proxy } = await import('../../proxy');
const { verifySession, verifyLiveSession } = await import('../../lib/dal');
const { cookieNames } = await import('../../lib/tokens/cookies');
const { signOut } = await import('../../lib/auth/sign-out');
const { revokeSession } = await import('../../lib/session/session-store');
const { checkAccessTokenForRead, registerRevocationList, registeredRevocationList, unregisterRevocationList } = await import(
  '../../lib/tokens/read-check'
);
const {
  createRevocationList,
  loadRevokedSessionIds,
  revocationList,
  REVOCATION_CLOCK_SKEW_SECONDS,
  REVOCATION_LIST_REFRESH_MS,
} = await import('../../lib/session/revocation-list');

useTestDatabase();

const TTL_SECONDS = 300;
/** The bound this mode states: a revocation is refused everywhere within one second. */
const BOUND_MS = 1_000;

const jarWith = (token: string) => ({
  get: (name: string) => (name === cookieNames().access ? { value: token } : undefined),
  has: (name: string) => name === cookieNames().access,
});

const pageRequest = (token: string) =>
  new NextRequest('http://localhost:3000/dashboard', { headers: { host: 'localhost:3000', cookie: `${cookieNames().access}=${token}` } });

/** Waits until this process's shared list can no longer be answering from a snapshot taken before now. */
const outlastSnapshot = () => new Promise((resolve) => setTimeout(resolve, REVOCATION_LIST_REFRESH_MS + 20));

afterEach(() => {
  // Tests below that swap the registered list restore this process's real one.
  unregisterRevocationList();
  revocationList();
});

describe('revocation-list mode: a signed-out session cannot read any more', () => {
  test('a copied access token reads before logout, and is refused by the proxy and the data access layer after it', async () => {
    revocationList(); // what instrumentation.ts does at start-up in this mode
    const victim = await signedInUser();

    // The control: before logout the copy reads, through both gates.
    assert.equal((await proxy(pageRequest(victim.accessToken))).headers.get('x-middleware-next'), '1');
    assert.equal((await verifySession({ cookies: jarWith(victim.accessToken) }))?.sessionId, victim.session.id);

    await signOut({ refreshToken: victim.refreshToken }, meta);
    await outlastSnapshot();

    const page = await proxy(pageRequest(victim.accessToken));
    assert.equal(page.status, 307);
    assert.match(page.headers.get('location')!, /\/login\?next=%2Fdashboard$/);
    assert.equal(await verifySession({ cookies: jarWith(victim.accessToken) }), null, 'the stateless read refuses it too');
    // The stateful tier refused it already in the default mode; it still does.
    assert.deepEqual(
      await verifyLiveSession({ accessToken: victim.accessToken, mayRenew: false, now: new Date() }),
      { ok: false, reason: 'ended' },
    );
  });

  test('only the revoked session is refused: another session of the same user still reads', async () => {
    const now = new Date();
    const revoked = await signedInUser(now);
    const other = await signedInUser(now);
    await revokeSession(revoked.session.id, 'logout');
    await outlastSnapshot();
    assert.equal(await verifySession({ cookies: jarWith(revoked.accessToken) }), null);
    assert.equal((await verifySession({ cookies: jarWith(other.accessToken) }))?.sessionId, other.session.id);
  });
});

describe('the process that revoked a session refuses it at once', () => {
  // A snapshot taken just before a revocation would otherwise answer for up to REVOCATION_LIST_REFRESH_MS:
  // the end-to-end suite's peer check ("the server where the sign-out happened refuses it too") failed
  // in CI when the other server refused the copy in under half a second.
  test('a sign-out: the very next read in this process refuses the copy, with no wait for the bound', async () => {
    revocationList();
    const victim = await signedInUser();
    // This process has just answered from a fresh snapshot, as it does under traffic.
    assert.equal((await proxy(pageRequest(victim.accessToken))).headers.get('x-middleware-next'), '1');
    await signOut({ refreshToken: victim.refreshToken }, meta);
    assert.equal((await proxy(pageRequest(victim.accessToken))).status, 307);
    assert.equal(await verifySession({ cookies: jarWith(victim.accessToken) }), null);
  });

  test('a session ended from /sessions (revokeSession, revokeOtherSessions): refused at once too', async () => {
    const { revokeOtherSessions } = await import('../../lib/session/session-store');
    revocationList();
    const one = await signedInUser();
    const other = await signedInUser();
    assert.equal((await verifySession({ cookies: jarWith(one.accessToken) }))?.sessionId, one.session.id);
    await revokeSession(one.session.id, 'revoked_by_user');
    assert.equal(await verifySession({ cookies: jarWith(one.accessToken) }), null);

    assert.equal((await verifySession({ cookies: jarWith(other.accessToken) }))?.sessionId, other.session.id);
    assert.equal(await revokeOtherSessions(other.user.id, 'a-session-kept', 'revoked_by_user'), 1);
    assert.equal(await verifySession({ cookies: jarWith(other.accessToken) }), null);
  });
});

describe('the lab in revocation-list mode', () => {
  test('the copy made on /lab is refused at once for reading, by this process, with no wait for the bound', async () => {
    const { makeLabCopy } = await import('../helpers/lab-copy');
    const { probeCopy } = await import('../../lib/lab/copy-probes');
    revocationList();
    const victim = await signedInUser();
    // This process has just answered from a fresh snapshot, as it does under traffic.
    assert.equal((await proxy(pageRequest(victim.accessToken))).headers.get('x-middleware-next'), '1');
    await makeLabCopy(victim);
    const owner = { userId: victim.user.id, sessionId: victim.session.id, email: victim.user.email };
    // What GET /api/me answers (it reads through verifySession; the proxy does not run for APIs).
    const readLikeApiMe = async (token: string) => ((await verifySession({ cookies: jarWith(token) })) ? 200 : 401);
    const probes = await probeCopy(owner, { headers: new Headers({ origin: 'http://localhost:3000', host: 'localhost:3000' }), now: new Date() }, readLikeApiMe);
    assert.ok(probes);
    assert.equal(probes.mode, 'revocation-list');
    assert.deepEqual(probes.results.map((r) => [r.probe, r.allowed]), [
      ['read', false],
      ['payment', false],
      ['password_change', false],
    ]);
    assert.match(probes.results[0].summary, /401: its session is on the revocation list/);
  });
});

describe('the list is small: an entry lives only as long as an access token can', () => {
  test('a revoked session is on the list for ACCESS_TOKEN_TTL_SECONDS plus the skew margin, then leaves it', async () => {
    const revokedAt = new Date('2026-04-01T12:00:00Z');
    const { session, accessToken } = await signedInUser(secondsLater(revokedAt, -60));
    await revokeSession(session.id, 'logout', revokedAt);
    const keep = TTL_SECONDS + REVOCATION_CLOCK_SKEW_SECONDS;

    assert.ok((await loadRevokedSessionIds(secondsLater(revokedAt, 1))).includes(session.id));
    assert.ok((await loadRevokedSessionIds(secondsLater(revokedAt, keep - 1))).includes(session.id));
    assert.ok(!(await loadRevokedSessionIds(secondsLater(revokedAt, keep))).includes(session.id), 'gone after TTL + margin');

    // Leaving the list reopens nothing: by then the session's access token has expired on its own.
    const tokenCheck = await checkAccessTokenForRead(accessToken, secondsLater(revokedAt, keep), { isRevoked: async () => false });
    assert.deepEqual(tokenCheck, { ok: false, reason: 'expired' });
  });

  test('a list with a moving clock drops the entry after the window', async () => {
    const revokedAt = new Date('2026-04-02T12:00:00Z');
    const { session } = await signedInUser(secondsLater(revokedAt, -60));
    await revokeSession(session.id, 'logout', revokedAt);
    let clock = secondsLater(revokedAt, 1).getTime();
    const list = createRevocationList({ clock: () => clock });
    assert.equal(await list.isRevoked(session.id), true);
    clock = secondsLater(revokedAt, TTL_SECONDS + REVOCATION_CLOCK_SKEW_SECONDS + 1).getTime();
    assert.equal(await list.isRevoked(session.id), false);
  });
});

describe('cheap: no query per request', () => {
  test('one query serves every read for REVOCATION_LIST_REFRESH_MS; concurrent reads share one reload (single flight)', async () => {
    let clock = 1_000_000;
    let queries = 0;
    const list = createRevocationList({
      clock: () => clock,
      load: async () => {
        queries += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return ['revoked-session'];
      },
    });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => list.isRevoked(i % 2 ? 'revoked-session' : 'live')));
    assert.equal(queries, 1, '200 concurrent reads, one query');
    assert.deepEqual(new Set(answers), new Set([true, false]));

    clock += REVOCATION_LIST_REFRESH_MS;
    for (let i = 0; i < 100; i++) await list.isRevoked('live');
    assert.equal(queries, 1, 'still fresh at exactly the refresh interval');

    clock += 1;
    await list.isRevoked('live');
    assert.equal(queries, 2, 'stale by one millisecond: reloaded before answering');
  });

  test('no traffic, no queries: the list only reloads when a read asks', async () => {
    let queries = 0;
    createRevocationList({ load: async () => (queries++, []) });
    await new Promise((resolve) => setTimeout(resolve, REVOCATION_LIST_REFRESH_MS * 2));
    assert.equal(queries, 0);
  });
});

describe('the bound: never an answer from a view older than REVOCATION_LIST_REFRESH_MS', () => {
  test('a revocation committed after a snapshot is seen by the first read once that snapshot is stale', async () => {
    let clock = 5_000_000;
    const revoked = new Set<string>();
    const list = createRevocationList({ clock: () => clock, load: async () => [...revoked] });
    assert.equal(await list.isRevoked('s1'), false);

    revoked.add('s1'); // another process revokes, 1 ms after the snapshot's query
    clock += 1;
    clock += REVOCATION_LIST_REFRESH_MS - 1;
    assert.equal(await list.isRevoked('s1'), false, 'inside the interval the snapshot may answer: this is the stated staleness');
    clock += 1;
    assert.equal(await list.isRevoked('s1'), true, 'one millisecond past it, never');
  });

  test('a read does not join a reload that began too long before it asked', async () => {
    let clock = 9_000_000;
    const revoked = new Set<string>();
    let release: () => void = () => {};
    let slow = false;
    const list = createRevocationList({
      clock: () => clock,
      load: async () => {
        const snapshot = [...revoked];
        if (slow) await new Promise<void>((resolve) => (release = resolve));
        return snapshot;
      },
    });
    await list.isRevoked('s1');
    clock += REVOCATION_LIST_REFRESH_MS + 1;
    slow = true;
    const early = list.isRevoked('s1'); // starts a reload whose query sees no revocation
    await new Promise((resolve) => setImmediate(resolve));
    slow = false;
    revoked.add('s1');
    clock += REVOCATION_LIST_REFRESH_MS + 1; // the reload is now older than the interval
    const late = list.isRevoked('s1');
    release();
    assert.equal(await early, false);
    assert.equal(await late, true, 'the late read waited for a reload that began after it asked');
  });

  test(`two processes on one SQLite file: a sign-out here is refused by the other process's proxy within ${BOUND_MS} ms`, async () => {
    const victim = await signedInUser();
    const worker = spawn(
      process.execPath,
      ['--conditions=react-server', '--import', 'tsx', fileURLToPath(new URL('../helpers/revocation-worker.ts', import.meta.url))],
      { env: { ...process.env, WATCH_ACCESS_TOKEN: victim.accessToken }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    worker.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const lines = createInterface({ input: worker.stdout });
    const messages: Record<string, number | null>[] = [];
    const waitFor = (key: string) =>
      new Promise<Record<string, number | null>>((resolve, reject) => {
        const found = messages.find((m) => key in m);
        if (found) return resolve(found);
        lines.on('line', (line) => {
          const message = JSON.parse(line) as Record<string, number | null>;
          messages.push(message);
          if (key in message) resolve(message);
        });
        worker.once('close', (code) => reject(new Error(`worker exited (${code}) before "${key}": ${stderr}`)));
      });
    try {
      await waitFor('accepted');
      // Let the other process read with the copy many times on a warm, cached list: counted, not timed,
      // so a machine that starves the worker of CPU waits longer instead of failing.
      await waitFor('served');

      await signOut({ refreshToken: victim.refreshToken }, meta);
      const committedAt = Date.now();

      const { lastAccepted, requests } = await waitFor('refused');
      assert.ok(requests! > 25, 'the copy was refused only after the sign-out, never among the first 25 reads');
      assert.ok(lastAccepted! > committedAt - 800, 'it was still accepting the copy right before the sign-out');
      // The bound is on what a request is answered, not on how soon a busy machine runs the next one:
      // no request sent more than BOUND_MS after the commit was let through.
      const acceptedAfter = lastAccepted! - committedAt;
      assert.ok(acceptedAfter <= BOUND_MS, `a request sent ${acceptedAfter} ms after the sign-out committed was let through (bound ${BOUND_MS} ms)`);
    } finally {
      if (worker.exitCode === null) worker.kill();
    }
  });
});

describe('fails closed', () => {
  test('with no list registered, the proxy refuses a valid token instead of falling back to stateless', async () => {
    const { accessToken } = await signedInUser();
    unregisterRevocationList();
    assert.equal(registeredRevocationList(), null);
    assert.equal((await proxy(pageRequest(accessToken))).status, 307);
  });

  test('when the list cannot be loaded, the proxy and the data access layer refuse a valid token', async () => {
    const { accessToken, session } = await signedInUser();
    const broken = createRevocationList({
      load: async () => {
        throw new Error('database unavailable');
      },
    });
    registerRevocationList(broken);
    const logged = console.error;
    console.error = () => {};
    try {
      assert.equal((await proxy(pageRequest(accessToken))).status, 307);
      assert.deepEqual(await checkAccessTokenForRead(accessToken, new Date(), broken), { ok: false, reason: 'unavailable' });
      assert.equal(await verifySession({ cookies: jarWith(accessToken) }), null);
    } finally {
      console.error = logged;
    }
    // The control: the same token with a working list reads.
    unregisterRevocationList();
    assert.equal((await verifySession({ cookies: jarWith(accessToken) }))?.sessionId, session.id);
  });
});
