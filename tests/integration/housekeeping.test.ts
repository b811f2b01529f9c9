/**
 * Pruning ended sessions, old rate-limit rows and old security events, against a real SQLite file,
 * clocks injected; and the schedule the server starts (no randomness in request paths).
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/housekeeping.test.ts
 *
 * Test settings (tests/helpers/integration-setup.ts): SESSION_IDLE_TIMEOUT_SECONDS=3600,
 * SESSION_ABSOLUTE_TIMEOUT_SECONDS=86400, LOGIN_FAILURE_WINDOW_SECONDS=900, LOGIN_MAX_FAILURES=5,
 * REFRESH_REUSE_GRACE_SECONDS=10.
 */
import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { meta, secondsLater, signedInUser } from '../helpers/fixtures';
import { db } from '../../lib/db/client';
import { pruneExpiredRecords } from '../../lib/housekeeping';
import { startHousekeeping } from '../../lib/startup';
import { signIn } from '../../lib/auth/sign-in';
import { createUser, PASSWORD } from '../helpers/fixtures';
import { longestAttemptWindowSeconds, reservePasswordAttempt } from '../../lib/limits/rate-limit';
import { rotateRefreshToken, type RotationOutcome } from '../../lib/session/rotate-refresh-token';
import { signOut } from '../../lib/auth/sign-out';

useTestDatabase();

const IDLE_SECONDS = 3_600;
const ABSOLUTE_SECONDS = 86_400;
/**
 * An ended session is kept while one of its access tokens may still be valid (ACCESS_TOKEN_TTL_SECONDS
 * plus the clock-skew margin): the revocation list reads revoked rows (lib/session/revocation-list.ts).
 */
const KEEP_SECONDS = 300 + 5;

function expectRotated(outcome: RotationOutcome) {
  assert.equal(outcome.status, 'rotated', `expected a rotation, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<RotationOutcome, { status: 'rotated' }>;
}

function sessionExists(id: string) {
  return db().session.findUnique({ where: { id } }).then((row) => row !== null);
}

function tokenCount(sessionId: string) {
  return db().refreshToken.count({ where: { sessionId } });
}

async function tableCounts() {
  const [sessions, refreshTokens, rateLimitAttempts, securityEvents, labTokenCopies, bindingChallenges] = await Promise.all([
    db().session.count(),
    db().refreshToken.count(),
    db().rateLimitAttempt.count(),
    db().securityEvent.count(),
    db().labTokenCopy.count(),
    db().bindingChallenge.count(),
  ]);
  return { sessions, refreshTokens, rateLimitAttempts, securityEvents, labTokenCopies, bindingChallenges };
}

describe('pruneExpiredRecords (ASVS 7.3.1, 7.3.2, 7.4.1)', () => {
  test('deletes ended sessions with their refresh tokens, keeps live ones with their used tokens', async () => {
    const pruneAt = new Date('2026-03-10T12:00:00Z');
    const ago = (seconds: number) => secondsLater(pruneAt, -seconds);

    // Live, and refreshed once: its first token is used (rotated) but must survive for reuse detection.
    const live = await signedInUser(ago(1_800));
    const liveSuccessor = expectRotated(await rotateRefreshToken(live.refreshToken, meta, ago(1_700)));
    // Live by one second: last active just inside the idle window.
    const almostIdle = await signedInUser(ago(IDLE_SECONDS - 1));
    // Signed out (ASVS 7.4.1) exactly as long ago as its last access token can live.
    const loggedOut = await signedInUser(ago(KEEP_SECONDS + 120));
    await signOut({ refreshToken: loggedOut.refreshToken }, meta, ago(KEEP_SECONDS));
    // Signed out a second later: a copy of its access token may still be valid, so the revocation list
    // still needs the row.
    const justLoggedOut = await signedInUser(ago(KEEP_SECONDS + 120));
    await signOut({ refreshToken: justLoggedOut.refreshToken }, meta, ago(KEEP_SECONDS - 1));
    // Idle-expired (ASVS 7.3.1): no activity for exactly the idle timeout, and its last token expired.
    const idle = await signedInUser(ago(IDLE_SECONDS + KEEP_SECONDS));
    // Absolute-expired (ASVS 7.3.2) although busy: refreshed every 50 minutes since sign-in a day ago.
    const busy = await signedInUser(ago(ABSOLUTE_SECONDS + KEEP_SECONDS));
    let current = busy.refreshToken;
    for (let at = ABSOLUTE_SECONDS - 3_000; at > 0; at -= 3_000) {
      current = expectRotated(await rotateRefreshToken(current, meta, ago(at))).refreshToken.token;
    }
    const busyTokens = await tokenCount(busy.session.id);
    assert.ok(busyTokens > 20);

    const before = await tableCounts();
    const counts = await pruneExpiredRecords(pruneAt);
    const after = await tableCounts();

    assert.equal(await sessionExists(loggedOut.session.id), false, 'revoked session pruned');
    assert.equal(await sessionExists(idle.session.id), false, 'idle-expired session pruned');
    assert.equal(await sessionExists(busy.session.id), false, 'absolute-expired session pruned');
    for (const ended of [loggedOut, idle, busy]) assert.equal(await tokenCount(ended.session.id), 0);

    assert.equal(await sessionExists(live.session.id), true);
    assert.equal(await sessionExists(justLoggedOut.session.id), true, 'revoked, but still on the revocation list');
    assert.equal(await sessionExists(almostIdle.session.id), true);
    assert.equal(await tokenCount(live.session.id), 2, 'the rotated token is kept alongside its successor');
    assert.equal(await tokenCount(almostIdle.session.id), 1);

    assert.ok(counts.sessions >= 3 && counts.refreshTokens >= 2 + busyTokens, JSON.stringify(counts));
    // The two timeouts nothing had noticed are written first, each with its event for the owner.
    assert.ok(counts.timedOutSessions >= 2, JSON.stringify(counts));
    for (const ended of [idle, busy]) {
      const events = await db().securityEvent.findMany({ where: { sessionId: ended.session.id, type: 'session_expired' } });
      assert.equal(events.length, 1, 'one timeout event per session');
    }
    assert.deepEqual(counts, {
      timedOutSessions: counts.timedOutSessions,
      sessions: before.sessions - after.sessions,
      refreshTokens: before.refreshTokens - after.refreshTokens,
      rateLimitAttempts: before.rateLimitAttempts - after.rateLimitAttempts,
      securityEvents: before.securityEvents - after.securityEvents + counts.timedOutSessions,
      labTokenCopies: before.labTokenCopies - after.labTokenCopies,
      bindingChallenges: before.bindingChallenges - after.bindingChallenges,
    }, 'the report matches what was deleted');

    // The survivors still work.
    expectRotated(await rotateRefreshToken(liveSuccessor.refreshToken.token, meta, secondsLater(pruneAt, 1)));
    expectRotated(await rotateRefreshToken(almostIdle.refreshToken, meta, pruneAt));
  });

  test('a rotated token replayed after pruning is still detected as reuse (RFC 9700 4.14.2)', async () => {
    const pruneAt = new Date('2026-03-11T12:00:00Z');
    const { user, session, refreshToken } = await signedInUser(secondsLater(pruneAt, -600));
    const successor = expectRotated(await rotateRefreshToken(refreshToken, meta, secondsLater(pruneAt, -300)));

    await pruneExpiredRecords(pruneAt);

    // Long past the grace window: had prune deleted the used token, this would be a harmless "unknown".
    assert.deepEqual(await rotateRefreshToken(refreshToken, meta, secondsLater(pruneAt, 1)), {
      status: 'rejected',
      reason: 'reused',
    });
    assert.deepEqual(await rotateRefreshToken(successor.refreshToken.token, meta, secondsLater(pruneAt, 2)), {
      status: 'rejected',
      reason: 'revoked',
      revokedReason: 'refresh_token_reuse',
    });
    const row = await db().session.findUniqueOrThrow({ where: { id: session.id } });
    assert.equal(row.revokedReason, 'refresh_token_reuse');
    assert.equal(await db().securityEvent.count({ where: { userId: user.id, type: 'refresh_token_reuse' } }), 1);
  });

  test('a token of a pruned session is refused as unknown, and the audit trail stays', async () => {
    const pruneAt = new Date('2026-03-12T12:00:00Z');
    const { user, refreshToken } = await signedInUser(secondsLater(pruneAt, -900));
    await signOut({ refreshToken }, meta, secondsLater(pruneAt, -600));

    await pruneExpiredRecords(pruneAt);

    assert.deepEqual(await rotateRefreshToken(refreshToken, meta, pruneAt), { status: 'rejected', reason: 'unknown' });
    const events = await db().securityEvent.findMany({ where: { userId: user.id } });
    assert.deepEqual(events.map((e) => e.type), ['logout'], 'security events are not pruned');
  });

  test('deletes RateLimitAttempt rows older than the longest limit window, and never unlocks an account early', async () => {
    const pruneAt = new Date('2026-03-13T12:00:00Z');
    const ago = (seconds: number) => secondsLater(pruneAt, -seconds);
    // Rows are kept for the longest window of any limit (the signup limit's hour): the key is a hash,
    // so a row does not say which limit it belongs to.
    const retention = longestAttemptWindowSeconds();
    assert.equal(retention, 3_600);
    const stale = await reservePasswordAttempt('stale@example.com', ago(retention));
    const recent = await reservePasswordAttempt('stale@example.com', ago(retention - 1));
    assert.ok(stale.ok && recent.ok);

    // A locked account: five failures inside the window.
    for (let i = 0; i < 5; i++) assert.ok((await reservePasswordAttempt('locked@example.com', ago(300 - i))).ok);
    assert.equal((await reservePasswordAttempt('locked@example.com', ago(100))).ok, false);

    const counts = await pruneExpiredRecords(pruneAt);
    assert.ok(counts.rateLimitAttempts >= 1);
    assert.equal(await db().rateLimitAttempt.count({ where: { id: stale.attemptId } }), 0, 'outside the window: pruned');
    assert.equal(await db().rateLimitAttempt.count({ where: { id: recent.attemptId } }), 1, 'inside the window: kept');

    const after = await reservePasswordAttempt('locked@example.com', pruneAt);
    assert.equal(after.ok, false, 'pruning must not lift a lock');
  });
});

describe('security event retention (SECURITY_EVENT_RETENTION_DAYS, default 90)', () => {
  test('an attacker\'s flood of events does not stay forever: events past the retention go, newer stay', async () => {
    const pruneAt = new Date('2026-09-01T12:00:00Z');
    const user = await createUser();
    const daysAgo = (days: number, seconds = 0) => new Date(pruneAt.getTime() - days * 86_400_000 + seconds * 1000);
    await db().securityEvent.createMany({
      data: [
        { type: 'login_failed', userId: user.id, createdAt: daysAgo(90) },
        { type: 'login_failed', userId: null, createdAt: daysAgo(400) },
        { type: 'login_failed', userId: user.id, createdAt: daysAgo(90, 1) },
        { type: 'login_succeeded', userId: user.id, createdAt: daysAgo(1) },
      ],
    });
    const counts = await pruneExpiredRecords(pruneAt);
    assert.ok(counts.securityEvents >= 2);
    const left = await db().securityEvent.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'asc' } });
    assert.deepEqual(left.map((e) => e.createdAt.toISOString()), [daysAgo(90, 1).toISOString(), daysAgo(1).toISOString()]);
    assert.equal(await db().securityEvent.count({ where: { createdAt: { lte: daysAgo(90) } } }), 0);
  });

  test('several instances pruning at the same moment all succeed and agree (idempotent deleteMany)', async () => {
    const pruneAt = new Date('2026-09-02T12:00:00Z');
    const { session, refreshToken } = await signedInUser(secondsLater(pruneAt, -900));
    await signOut({ refreshToken }, meta, secondsLater(pruneAt, -600));
    const runs = await Promise.all([pruneExpiredRecords(pruneAt), pruneExpiredRecords(pruneAt), pruneExpiredRecords(pruneAt)]);
    assert.equal(runs.reduce((sum, run) => sum + run.sessions, 0) >= 1, true);
    assert.equal(await sessionExists(session.id), false);
    assert.deepEqual(await pruneExpiredRecords(pruneAt), { timedOutSessions: 0, sessions: 0, refreshTokens: 0, rateLimitAttempts: 0, securityEvents: 0, labTokenCopies: 0, bindingChallenges: 0 });
  });
});

describe('housekeeping runs on a schedule, never inside a request', () => {
  test('a sign-in never prunes, even when Math.random would have rolled a prune', async () => {
    const now = new Date();
    const { session, refreshToken } = await signedInUser(secondsLater(now, -900));
    await signOut({ refreshToken }, meta, secondsLater(now, -600));
    const user = await createUser();
    const random = mock.method(Math, 'random', () => 0);
    try {
      for (let i = 0; i < 3; i++) assert.ok((await signIn(user.email, PASSWORD, meta, now)).ok);
    } finally {
      random.mock.restore();
    }
    assert.equal(await sessionExists(session.id), true, 'the ended session waits for the schedule');
  });

  test('the server prunes once per HOUSEKEEPING_INTERVAL_SECONDS, never overlapping, and 0 switches it off', async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      let runs = 0;
      let finish: () => void = () => {};
      const prune = () => {
        runs++;
        return new Promise<void>((resolve) => (finish = resolve));
      };
      const stop = startHousekeeping(3_600, prune);
      assert.ok(stop);
      mock.timers.tick(3_599_999);
      assert.equal(runs, 0, 'nothing before the first interval');
      mock.timers.tick(1);
      assert.equal(runs, 1);
      mock.timers.tick(3_600_000);
      assert.equal(runs, 1, 'a prune still running is not started again');
      finish();
      await new Promise((resolve) => setImmediate(resolve));
      mock.timers.tick(3_600_000);
      assert.equal(runs, 2);
      stop();
      mock.timers.tick(7_200_000);
      assert.equal(runs, 2, 'stopped');
      assert.equal(startHousekeeping(0, prune), null);
      mock.timers.tick(86_400_000);
      assert.equal(runs, 2, 'switched off');
    } finally {
      mock.timers.reset();
    }
  });

  test('the schedule does not keep a process alive (unref\'d timer)', () => {
    const refs: boolean[] = [];
    const realSetInterval = globalThis.setInterval;
    const spy = mock.method(globalThis, 'setInterval', (...args: Parameters<typeof setInterval>) => {
      const timer = realSetInterval(...args);
      queueMicrotask(() => refs.push(timer.hasRef()));
      return timer;
    });
    const stop = startHousekeeping(3_600, async () => {});
    spy.mock.restore();
    return new Promise<void>((resolve) =>
      queueMicrotask(() => {
        stop?.();
        assert.deepEqual(refs, [false]);
        resolve();
      }),
    );
  });
});
