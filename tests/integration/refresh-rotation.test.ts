/**
 * Refresh-token rotation with reuse detection against a real SQLite file, clocks injected.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/refresh-rotation.test.ts
 *
 * Test settings (tests/helpers/integration-setup.ts): REFRESH_REUSE_GRACE_SECONDS=10,
 * SESSION_IDLE_TIMEOUT_SECONDS=3600, SESSION_ABSOLUTE_TIMEOUT_SECONDS=86400.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { raceInProcesses } from '../helpers/process-race';
import { meta, recordingJar, secondsLater, signedInUser } from '../helpers/fixtures';
import { cookieNames } from '../../lib/tokens/cookies';
import { db } from '../../lib/db/client';
import { rotateRefreshToken, type RotationOutcome } from '../../lib/session/rotate-refresh-token';
import { endSessionsTransaction, replaceSession, revokeSession } from '../../lib/session/session-store';
import { issueSessionCookies } from '../../lib/tokens/issue-session-cookies';
import { signOut } from '../../lib/auth/sign-out';
import { hashRefreshToken } from '../../lib/tokens/refresh-token';

useTestDatabase();

const GRACE_SECONDS = 10;
const IDLE_SECONDS = 3_600;
const ABSOLUTE_SECONDS = 86_400;

function millisecondsLater(base: Date, ms: number): Date {
  return new Date(base.getTime() + ms);
}

/** Narrows to a successful rotation, failing the test with the actual outcome otherwise. */
function expectRotated(outcome: RotationOutcome) {
  assert.equal(outcome.status, 'rotated', `expected a rotation, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<RotationOutcome, { status: 'rotated' }>;
}

/** The refresh tokens that could still be exchanged: neither used nor withdrawn. */
function liveTokens(sessionId: string) {
  return db().refreshToken.findMany({ where: { sessionId, rotatedAt: null, revokedAt: null } });
}

function reuseEvents(userId: string) {
  return db().securityEvent.findMany({ where: { userId, type: 'refresh_token_reuse' } });
}

describe('rotation (RFC 9700 4.14.2, ASVS 7.2.4)', () => {
  test('a refresh token is exchanged for a new one in the same session, and only once', async () => {
    const t0 = new Date('2026-02-01T08:00:00Z');
    const { user, session, refreshToken } = await signedInUser(t0);

    const first = expectRotated(await rotateRefreshToken(refreshToken, meta, secondsLater(t0, 60)));
    assert.equal(first.sessionId, session.id);
    assert.deepEqual(first.user, { id: user.id, email: user.email });
    assert.notEqual(first.refreshToken.token, refreshToken, 'a successor, not the same token back');
    assert.equal(first.refreshToken.expiresAt.getTime(), session.expiresAt.getTime(), 'bounded by the absolute lifetime');

    // Presented again at once: never a second, different successor (single use). Inside the grace
    // window the answer is the winner's own successor, so still exactly one token is live.
    const again = await rotateRefreshToken(refreshToken, meta, secondsLater(t0, 60));
    assert.equal(again.status, 'sibling');
    assert.equal(again.status === 'sibling' && again.refreshToken?.token, first.refreshToken.token, 'the same successor, not a new one');

    const rows = await db().refreshToken.findMany({ where: { sessionId: session.id } });
    assert.equal(rows.length, 2);
    assert.equal(rows.find((r) => r.tokenHash === hashRefreshToken(refreshToken))?.rotatedAt?.getTime(), secondsLater(t0, 60).getTime());
    const live = await liveTokens(session.id);
    assert.deepEqual(live.map((r) => r.tokenHash), [hashRefreshToken(first.refreshToken.token)]);
  });

  test('the successor works, and its own successor too: a chain of single-use tokens', async () => {
    const t0 = new Date('2026-02-01T09:00:00Z');
    const { session, refreshToken } = await signedInUser(t0);
    let current = refreshToken;
    const seen = new Set([current]);
    for (let minute = 5; minute <= 25; minute += 5) {
      const next = expectRotated(await rotateRefreshToken(current, meta, secondsLater(t0, minute * 60)));
      assert.equal(next.sessionId, session.id);
      assert.ok(!seen.has(next.refreshToken.token), 'every successor is new');
      seen.add(next.refreshToken.token);
      current = next.refreshToken.token;
    }
    assert.equal((await liveTokens(session.id)).length, 1);
  });

  test('a token of a session replaced by re-authentication is refused as withdrawn; the new session renews (ASVS 7.2.4)', async () => {
    const t0 = new Date('2026-02-01T10:00:00Z');
    const { user, session, refreshToken } = await signedInUser(t0);
    const replaced = await endSessionsTransaction((tx) =>
      replaceSession(tx, { sessionId: session.id, userId: user.id }, 'reauthenticated', meta, secondsLater(t0, 30)),
    );
    assert.ok(replaced);

    assert.deepEqual(await rotateRefreshToken(refreshToken, meta, secondsLater(t0, 60)), {
      status: 'rejected',
      reason: 'withdrawn',
    });
    expectRotated(await rotateRefreshToken(replaced.refreshToken!.token, meta, secondsLater(t0, 61)));
  });
});

describe('grace window for concurrent refreshes (documented deviation from RFC 9700 4.14.2)', () => {
  test(`the just-rotated token within ${GRACE_SECONDS}s is a sibling: it gets the winner's successor, session kept`, async () => {
    const t0 = new Date('2026-02-02T08:00:00Z');
    const { user, session, refreshToken } = await signedInUser(t0);
    const rotatedAt = secondsLater(t0, 120);
    const winner = expectRotated(await rotateRefreshToken(refreshToken, meta, rotatedAt));

    for (const late of [1, 5_000, GRACE_SECONDS * 1000]) {
      const sibling = await rotateRefreshToken(refreshToken, meta, millisecondsLater(rotatedAt, late));
      assert.deepEqual(sibling, {
        status: 'sibling',
        sessionId: session.id,
        user: { id: user.id, email: user.email },
        refreshToken: winner.refreshToken,
        // The session as the winner left it: what the sibling's refresh answer shows.
        timeline: {
          state: 'active',
          revokedAt: null,
          revokedReason: null,
          idleExpiresAt: secondsLater(rotatedAt, IDLE_SECONDS),
          absoluteExpiresAt: secondsLater(t0, ABSOLUTE_SECONDS),
          lastRotatedAt: rotatedAt,
          rotations: 1,
        },
      });
    }

    // What the browser receives for the sibling: a new access cookie and the very refresh token the winner
    // got, so whichever response lands last, the browser holds the one valid successor.
    const sibling = await rotateRefreshToken(refreshToken, meta, secondsLater(rotatedAt, 2));
    assert.equal(sibling.status, 'sibling');
    if (sibling.status !== 'sibling') return;
    const { set, jar } = recordingJar();
    (await issueSessionCookies(sibling, secondsLater(rotatedAt, 2))).writeTo(jar);
    assert.ok(set.get(cookieNames().access)?.value, 'an access token is issued');
    assert.equal(set.get(cookieNames().refresh)?.value, winner.refreshToken.token);

    const row = await db().session.findUniqueOrThrow({ where: { id: session.id } });
    assert.equal(row.revokedAt, null);
    assert.equal(row.revokedReason, null);
    assert.deepEqual(await reuseEvents(user.id), []);
    assert.equal((await liveTokens(session.id)).length, 1, 'still exactly one live successor');
    expectRotated(await rotateRefreshToken(winner.refreshToken.token, meta, secondsLater(rotatedAt, 11)));
  });

  test('a winner response lost on the way is healed by the next refresh inside the window', async () => {
    const t0 = new Date('2026-02-02T09:00:00Z');
    const { session, refreshToken } = await signedInUser(t0);
    const rotatedAt = secondsLater(t0, 60);
    // The rotation happened, but the browser never saw its answer and still holds the old token.
    expectRotated(await rotateRefreshToken(refreshToken, meta, rotatedAt));
    const retry = await rotateRefreshToken(refreshToken, meta, secondsLater(rotatedAt, 3));
    assert.equal(retry.status, 'sibling');
    assert.ok(retry.status === 'sibling' && retry.refreshToken, 'the retry carries the successor');
    // The browser now holds the successor and renews normally later.
    expectRotated(await rotateRefreshToken(retry.refreshToken.token, meta, secondsLater(rotatedAt, 300)));
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt, null);
  });

  test('a successor younger than the grace window is answered with itself, so a sibling answer landing late never carries a used token', async () => {
    const t0 = new Date('2026-02-02T10:00:00Z');
    const { user, session, refreshToken } = await signedInUser(t0);
    const first = expectRotated(await rotateRefreshToken(refreshToken, meta, secondsLater(t0, 60)));
    // The browser renews again with the successor while a sibling's answer (carrying that same successor)
    // is still on its way: rotating it now would make that late answer put a used token in the cookie jar.
    const again = await rotateRefreshToken(first.refreshToken.token, meta, secondsLater(t0, 62));
    assert.ok(again.status === 'current' && again.refreshToken.token === first.refreshToken.token, JSON.stringify(again));
    const late = await rotateRefreshToken(refreshToken, meta, secondsLater(t0, 64));
    assert.ok(late.status === 'sibling' && late.refreshToken?.token === first.refreshToken.token);
    // Whichever answer landed last, the browser holds the live successor: past the window it rotates as usual.
    expectRotated(await rotateRefreshToken(first.refreshToken.token, meta, secondsLater(t0, 60 + GRACE_SECONDS + 1)));
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt, null);
    assert.equal((await reuseEvents(user.id)).length, 0);
  });

  test('a thief replaying inside the window shares the successor, and is caught one rotation later', async () => {
    const t0 = new Date('2026-02-02T11:00:00Z');
    const { user, session, refreshToken } = await signedInUser(t0);
    const rotatedAt = secondsLater(t0, 60);
    const real = expectRotated(await rotateRefreshToken(refreshToken, meta, rotatedAt));
    const thief = await rotateRefreshToken(refreshToken, meta, secondsLater(rotatedAt, 5));
    assert.ok(thief.status === 'sibling' && thief.refreshToken);
    // The thief renews first; the real browser's next renewal (after the window) is a reuse.
    expectRotated(await rotateRefreshToken(thief.refreshToken.token, meta, secondsLater(rotatedAt, 100)));
    const caught = await rotateRefreshToken(real.refreshToken.token, meta, secondsLater(rotatedAt, 400));
    assert.deepEqual(caught, { status: 'rejected', reason: 'reused' });
    assert.notEqual((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt, null);
    assert.equal((await reuseEvents(user.id)).length, 1);
  });
});

describe('reuse detection (RFC 9700 4.14.2)', () => {
  test('a used token presented after the grace window revokes the whole session', async () => {
    const t0 = new Date('2026-02-03T08:00:00Z');
    const { user, session, refreshToken } = await signedInUser(t0);
    const rotatedAt = secondsLater(t0, 300);
    const winner = expectRotated(await rotateRefreshToken(refreshToken, meta, rotatedAt));
    const replayAt = millisecondsLater(rotatedAt, GRACE_SECONDS * 1000 + 1);

    assert.deepEqual(await rotateRefreshToken(refreshToken, meta, replayAt), { status: 'rejected', reason: 'reused' });

    // The legitimate holder's successor is dead too: both copies are treated as compromised.
    assert.deepEqual(await rotateRefreshToken(winner.refreshToken.token, meta, secondsLater(replayAt, 1)), {
      status: 'rejected',
      reason: 'revoked',
      revokedReason: 'refresh_token_reuse',
    });
    const row = await db().session.findUniqueOrThrow({ where: { id: session.id }, include: { refreshTokens: true } });
    assert.equal(row.revokedAt?.getTime(), replayAt.getTime());
    assert.equal(row.revokedReason, 'refresh_token_reuse');
    assert.deepEqual(await liveTokens(session.id), []);

    const events = await reuseEvents(user.id);
    assert.equal(events.length, 1);
    assert.equal(events[0].sessionId, session.id);
    assert.equal(events[0].createdAt.getTime(), replayAt.getTime());
    assert.equal(events[0].ipAddress, meta.ipAddress);

    // Replaying again changes nothing and logs nothing more.
    assert.deepEqual(await rotateRefreshToken(refreshToken, meta, secondsLater(replayAt, 60)), {
      status: 'rejected',
      reason: 'revoked',
      revokedReason: 'refresh_token_reuse',
    });
    assert.equal((await reuseEvents(user.id)).length, 1);
  });

  test('an older token in the chain is reuse too, long after its rotation', async () => {
    const t0 = new Date('2026-02-03T09:00:00Z');
    const { user, session, refreshToken: first } = await signedInUser(t0);
    const second = expectRotated(await rotateRefreshToken(first, meta, secondsLater(t0, 60))).refreshToken.token;
    expectRotated(await rotateRefreshToken(second, meta, secondsLater(t0, 600)));

    assert.deepEqual(await rotateRefreshToken(first, meta, secondsLater(t0, 900)), { status: 'rejected', reason: 'reused' });
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedReason, 'refresh_token_reuse');
    assert.equal((await reuseEvents(user.id)).length, 1);
  });

  test('reuse in one session leaves the user’s other sessions alone', async () => {
    const t0 = new Date('2026-02-03T10:00:00Z');
    const victim = await signedInUser(t0);
    const bystander = await signedInUser(t0);
    expectRotated(await rotateRefreshToken(victim.refreshToken, meta, secondsLater(t0, 60)));
    assert.deepEqual(await rotateRefreshToken(victim.refreshToken, meta, secondsLater(t0, 120)), {
      status: 'rejected',
      reason: 'reused',
    });
    expectRotated(await rotateRefreshToken(bystander.refreshToken, meta, secondsLater(t0, 121)));
  });
});

describe('session lifetime on refresh (ASVS 7.3.1 idle, 7.3.2 absolute)', () => {
  test(`idle timeout: no refresh for ${IDLE_SECONDS}s ends the session (ASVS 7.3.1)`, async () => {
    const t0 = new Date('2026-02-04T08:00:00Z');
    const { session, refreshToken } = await signedInUser(t0);
    assert.deepEqual(await rotateRefreshToken(refreshToken, meta, secondsLater(t0, IDLE_SECONDS)), {
      status: 'rejected',
      reason: 'idle_expired',
    });
    // Refused without being consumed: no successor was created, nothing rotated.
    const rows = await db().refreshToken.findMany({ where: { sessionId: session.id } });
    assert.equal(rows.length, 1);
    assert.equal(rows[0].rotatedAt, null);

    const fresh = await signedInUser(t0);
    expectRotated(await rotateRefreshToken(fresh.refreshToken, meta, millisecondsLater(t0, IDLE_SECONDS * 1000 - 1)));
  });

  test('refreshing moves lastActiveAt, so an active user stays inside the idle window (ASVS 7.3.1)', async () => {
    const t0 = new Date('2026-02-04T09:00:00Z');
    const { session, refreshToken } = await signedInUser(t0);
    const firstRefresh = secondsLater(t0, IDLE_SECONDS - 60);
    const second = expectRotated(await rotateRefreshToken(refreshToken, meta, firstRefresh));
    assert.equal(
      (await db().session.findUniqueOrThrow({ where: { id: session.id } })).lastActiveAt.getTime(),
      firstRefresh.getTime(),
    );
    // Past the idle deadline counted from sign-in, inside the one counted from the last refresh.
    const third = expectRotated(await rotateRefreshToken(second.refreshToken.token, meta, secondsLater(t0, IDLE_SECONDS + 1_800)));
    // And idle again counts from that last refresh.
    assert.deepEqual(
      await rotateRefreshToken(third.refreshToken.token, meta, secondsLater(t0, IDLE_SECONDS + 1_800 + IDLE_SECONDS)),
      { status: 'rejected', reason: 'idle_expired' },
    );
  });

  test(`absolute timeout: however active, the session ends ${ABSOLUTE_SECONDS}s after sign-in (ASVS 7.3.2)`, async () => {
    const t0 = new Date('2026-02-05T00:00:00Z');
    const { session, refreshToken } = await signedInUser(t0);
    let current = refreshToken;
    // A busy user refreshing every 50 minutes, never idle for long, up to the last millisecond.
    const refreshTimes = [];
    for (let at = 3_000; at < ABSOLUTE_SECONDS; at += 3_000) refreshTimes.push(secondsLater(t0, at));
    refreshTimes.push(millisecondsLater(t0, ABSOLUTE_SECONDS * 1000 - 1));
    for (const at of refreshTimes) {
      const next = expectRotated(await rotateRefreshToken(current, meta, at));
      assert.equal(next.refreshToken.expiresAt.getTime(), session.expiresAt.getTime(), 'successors never extend it');
      current = next.refreshToken.token;
    }

    assert.deepEqual(await rotateRefreshToken(current, meta, secondsLater(t0, ABSOLUTE_SECONDS)), {
      status: 'rejected',
      reason: 'absolute_expired',
    });
    const row = await db().session.findUniqueOrThrow({ where: { id: session.id } });
    assert.equal(row.lastActiveAt.getTime(), ABSOLUTE_SECONDS * 1000 - 1 + t0.getTime(), 'active a moment ago');
    // The refused renewal writes the timeout on the row, not a reuse alarm (lib/session/session-timeouts.ts).
    assert.equal(row.revokedReason, 'absolute_timeout');
    const events = await db().securityEvent.findMany({ where: { sessionId: session.id }, select: { type: true } });
    assert.deepEqual(events.map((event) => event.type).filter((type) => type !== 'login_succeeded'), ['session_expired']);
  });
});

describe('tokens that name no live session', () => {
  test('unknown and malformed tokens are refused as unknown', async () => {
    const now = new Date('2026-02-06T08:00:00Z');
    await signedInUser(now);
    const wellFormedButUnknown = randomBytes(32).toString('base64url');
    for (const presented of ['', 'not-a-token', wellFormedButUnknown, `${wellFormedButUnknown}x`, `!${'a'.repeat(42)}`]) {
      assert.deepEqual(await rotateRefreshToken(presented, meta, now), { status: 'rejected', reason: 'unknown' }, presented);
    }
  });

  test('the hash of a token, as stored in the database, is not itself a refresh token', async () => {
    const now = new Date('2026-02-06T09:00:00Z');
    const { refreshToken } = await signedInUser(now);
    assert.deepEqual(await rotateRefreshToken(hashRefreshToken(refreshToken), meta, now), {
      status: 'rejected',
      reason: 'unknown',
    });
  });

  test('after signOut the refresh token is refused (ASVS 7.4.1)', async () => {
    const t0 = new Date('2026-02-06T10:00:00Z');
    const { user, session, refreshToken } = await signedInUser(t0);
    await signOut({ refreshToken }, meta, secondsLater(t0, 30));
    assert.deepEqual(await rotateRefreshToken(refreshToken, meta, secondsLater(t0, 31)), {
      status: 'rejected',
      reason: 'revoked',
      revokedReason: 'logout',
    });
    const row = await db().session.findUniqueOrThrow({ where: { id: session.id } });
    assert.equal(row.revokedReason, 'logout');
    assert.deepEqual(await reuseEvents(user.id), [], 'a logged-out token is not mistaken for theft');
  });

  test('after revokeSession the current successor is refused too (ASVS 7.4.1)', async () => {
    const t0 = new Date('2026-02-06T11:00:00Z');
    const { session, refreshToken } = await signedInUser(t0);
    const successor = expectRotated(await rotateRefreshToken(refreshToken, meta, secondsLater(t0, 60)));
    assert.equal(await revokeSession(session.id, 'logout', secondsLater(t0, 61)), true);
    for (const presented of [successor.refreshToken.token, refreshToken]) {
      assert.deepEqual(await rotateRefreshToken(presented, meta, secondsLater(t0, 62)), {
        status: 'rejected',
        reason: 'revoked',
        revokedReason: 'logout',
      });
    }
  });
});

describe('single-flight rotation under concurrency (RFC 9700 4.14.2; next-auth #2071, supabase auth-js #213)', () => {
  test('20 parallel refreshes with one token: one rotated, 19 siblings, session alive', async () => {
    const t0 = new Date('2026-02-07T08:00:00Z');
    const { user, session, refreshToken } = await signedInUser(t0);
    const at = secondsLater(t0, 90);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => rotateRefreshToken(refreshToken, meta, at)));

    const rotated = outcomes.filter((o) => o.status === 'rotated');
    const siblings = outcomes.filter((o) => o.status === 'sibling');
    assert.equal(rotated.length, 1, JSON.stringify(outcomes.map((o) => o.status)));
    assert.equal(siblings.length, 19);
    assert.ok(outcomes.every((o) => o.status !== 'rejected' && o.sessionId === session.id));

    const row = await db().session.findUniqueOrThrow({ where: { id: session.id } });
    assert.equal(row.revokedAt, null);
    assert.deepEqual(await reuseEvents(user.id), []);
    const winner = expectRotated(rotated[0]);
    const live = await liveTokens(session.id);
    assert.deepEqual(live.map((r) => r.tokenHash), [hashRefreshToken(winner.refreshToken.token)], 'exactly one successor');
    for (const sibling of siblings) {
      assert.equal(sibling.status === 'sibling' && sibling.refreshToken?.token, winner.refreshToken.token, 'every sibling got the winner’s result');
    }
    expectRotated(await rotateRefreshToken(winner.refreshToken.token, meta, secondsLater(at, 30)));
  });

  test('two server processes racing on one database file: one rotated, the rest siblings', { timeout: 60_000 }, async () => {
    const t0 = new Date('2026-02-07T09:00:00Z');
    const { user, session, refreshToken } = await signedInUser(t0);
    const at = secondsLater(t0, 90);
    const perProcess = 10;

    const results = await raceInProcesses<WorkerOutcome>(2, {
      RACE_OPERATION: 'rotate',
      RACE_COUNT: String(perProcess),
      ROTATE_TOKEN: refreshToken,
      ROTATE_AT: String(at.getTime()),
    });
    const outcomes = results.flat();
    const statuses = outcomes.map((o) => o.status);
    assert.equal(outcomes.length, 2 * perProcess);
    assert.deepEqual(outcomes.filter((o) => o.status === 'error'), [], 'no call failed (busy database, closed transaction…)');
    assert.equal(statuses.filter((s) => s === 'rotated').length, 1, JSON.stringify(results.map((r) => r.map((o) => o.status))));
    assert.equal(statuses.filter((s) => s === 'sibling').length, 2 * perProcess - 1);
    assert.ok(outcomes.every((o) => o.sessionId === session.id));

    const row = await db().session.findUniqueOrThrow({ where: { id: session.id } });
    assert.equal(row.revokedAt, null);
    assert.deepEqual(await reuseEvents(user.id), []);
    const winner = outcomes.find((o) => o.status === 'rotated');
    assert.ok(winner?.refreshToken);
    const live = await liveTokens(session.id);
    assert.deepEqual(live.map((r) => r.tokenHash), [hashRefreshToken(winner.refreshToken)], 'exactly one successor');
    assert.ok(
      outcomes.every((o) => o.refreshToken === winner.refreshToken),
      'siblings in both processes got the winner’s result',
    );
    expectRotated(await rotateRefreshToken(winner.refreshToken, meta, secondsLater(at, 30)));
  });
});

type WorkerOutcome = { status: string; sessionId?: string; refreshToken?: string; reason?: string; message?: string };
