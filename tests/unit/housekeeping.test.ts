/**
 * Pruning ended sessions and old rate-limit rows, against a real SQLite file, clocks injected.
 *
 *   node --conditions=react-server --import tsx --test tests/unit/housekeeping.test.ts
 *
 * Test settings (tests/helpers/database.ts): SESSION_IDLE_TIMEOUT_SECONDS=3600,
 * SESSION_ABSOLUTE_TIMEOUT_SECONDS=86400, LOGIN_FAILURE_WINDOW_SECONDS=900, LOGIN_MAX_FAILURES=5,
 * REFRESH_REUSE_GRACE_SECONDS=10.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { meta, secondsLater, signedInUser } from '../helpers/fixtures';
import { db } from '../../lib/db/client';
import { maybePruneExpiredRecords, pruneExpiredRecords } from '../../lib/db/housekeeping';
import { reservePasswordAttempt } from '../../lib/http/rate-limit';
import { rotateRefreshToken, type RotationOutcome } from '../../lib/session/rotate-refresh-token';
import { signOut } from '../../lib/auth/sign-out';

useTestDatabase();

const IDLE_SECONDS = 3_600;
const ABSOLUTE_SECONDS = 86_400;
const LOGIN_WINDOW_SECONDS = 900;

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
  const [sessions, refreshTokens, loginAttempts] = await Promise.all([
    db().session.count(),
    db().refreshToken.count(),
    db().loginAttempt.count(),
  ]);
  return { sessions, refreshTokens, loginAttempts };
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
    // Signed out (ASVS 7.4.1), otherwise recent.
    const loggedOut = await signedInUser(ago(120));
    await signOut({ refreshToken: loggedOut.refreshToken }, meta, ago(60));
    // Idle-expired (ASVS 7.3.1): no activity for exactly the idle timeout.
    const idle = await signedInUser(ago(IDLE_SECONDS));
    // Absolute-expired (ASVS 7.3.2) although busy: refreshed every 50 minutes since sign-in a day ago.
    const busy = await signedInUser(ago(ABSOLUTE_SECONDS));
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
    assert.equal(await sessionExists(almostIdle.session.id), true);
    assert.equal(await tokenCount(live.session.id), 2, 'the rotated token is kept alongside its successor');
    assert.equal(await tokenCount(almostIdle.session.id), 1);

    assert.ok(counts.sessions >= 3 && counts.refreshTokens >= 2 + busyTokens, JSON.stringify(counts));
    assert.deepEqual(counts, {
      sessions: before.sessions - after.sessions,
      refreshTokens: before.refreshTokens - after.refreshTokens,
      loginAttempts: before.loginAttempts - after.loginAttempts,
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
    });
    const row = await db().session.findUniqueOrThrow({ where: { id: session.id } });
    assert.equal(row.revokedReason, 'refresh_token_reuse');
    assert.equal(await db().securityEvent.count({ where: { userId: user.id, type: 'refresh_token_reuse' } }), 1);
  });

  test('a token of a pruned session is refused as unknown, and the audit trail stays', async () => {
    const pruneAt = new Date('2026-03-12T12:00:00Z');
    const { user, refreshToken } = await signedInUser(secondsLater(pruneAt, -300));
    await signOut({ refreshToken }, meta, secondsLater(pruneAt, -200));

    await pruneExpiredRecords(pruneAt);

    assert.deepEqual(await rotateRefreshToken(refreshToken, meta, pruneAt), { status: 'rejected', reason: 'unknown' });
    const events = await db().securityEvent.findMany({ where: { userId: user.id } });
    assert.deepEqual(events.map((e) => e.type), ['logout'], 'security events are not pruned');
  });

  test('deletes LoginAttempt rows older than the failure window, and never unlocks an account early', async () => {
    const pruneAt = new Date('2026-03-13T12:00:00Z');
    const ago = (seconds: number) => secondsLater(pruneAt, -seconds);
    const stale = await reservePasswordAttempt('stale@example.com', ago(LOGIN_WINDOW_SECONDS));
    const recent = await reservePasswordAttempt('stale@example.com', ago(LOGIN_WINDOW_SECONDS - 1));
    assert.ok(stale.ok && recent.ok);

    // A locked account: five failures inside the window.
    for (let i = 0; i < 5; i++) assert.ok((await reservePasswordAttempt('locked@example.com', ago(300 - i))).ok);
    assert.equal((await reservePasswordAttempt('locked@example.com', ago(100))).ok, false);

    const counts = await pruneExpiredRecords(pruneAt);
    assert.ok(counts.loginAttempts >= 1);
    assert.equal(await db().loginAttempt.count({ where: { id: stale.attemptId } }), 0, 'outside the window: pruned');
    assert.equal(await db().loginAttempt.count({ where: { id: recent.attemptId } }), 1, 'inside the window: kept');

    const after = await reservePasswordAttempt('locked@example.com', pruneAt);
    assert.equal(after.ok, false, 'pruning must not lift a lock');
  });
});

describe('maybePruneExpiredRecords', () => {
  test('prunes only when chance < 0.02 (about one sign-in in fifty)', async () => {
    const pruneAt = new Date('2026-03-14T12:00:00Z');
    const { session, refreshToken } = await signedInUser(secondsLater(pruneAt, -300));
    await signOut({ refreshToken }, meta, secondsLater(pruneAt, -200));

    for (const chance of [0.02, 0.5, 0.999]) {
      await maybePruneExpiredRecords(pruneAt, chance);
      assert.equal(await sessionExists(session.id), true, `no prune at chance ${chance}`);
    }
    await maybePruneExpiredRecords(pruneAt, 0.0199);
    assert.equal(await sessionExists(session.id), false, 'pruned at chance 0.0199');

    const second = await signedInUser(secondsLater(pruneAt, -300));
    await signOut({ refreshToken: second.refreshToken }, meta, secondsLater(pruneAt, -200));
    await maybePruneExpiredRecords(pruneAt, 0);
    assert.equal(await sessionExists(second.session.id), false, 'pruned at chance 0');
  });
});
