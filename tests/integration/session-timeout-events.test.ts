/**
 * Idle and absolute timeouts (ASVS 7.3.1, 7.3.2) are endings like any other: when something finds a
 * session past its deadline (a refused renewal, a refused sensitive action, housekeeping), the row is
 * ended with its reason and the owner's /activity shows a `session_expired` event, written once however
 * many instances find it (lib/session/session-timeouts.ts). The holder's next sign-in page says why.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/session-timeout-events.test.ts
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { formData, meta, sensitiveRequestWith, signedInUser } from '../helpers/fixtures';
import { apiRequest, setCookies } from '../helpers/http';
import { POST as refresh } from '../../app/api/auth/refresh/route';
import { securityEventLabel } from '../../lib/audit/event-labels';
import { db } from '../../lib/db/client';
import { pruneExpiredRecords } from '../../lib/housekeeping';
import { signAccessToken } from '../../lib/tokens/access-token';
import { cookieNames, signedOutReasonCookieName } from '../../lib/tokens/cookies';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { signOutSessionsDefinition } from '../../lib/sensitive-actions/sign-out-sessions-action';
import { rotateRefreshToken } from '../../lib/session/rotate-refresh-token';

useTestDatabase();

const HOUR_MS = 3_600_000;
const IDLE_MS = Number(process.env.SESSION_IDLE_TIMEOUT_SECONDS) * 1000;

/** A session signed in `signedInAgoMs` ago and last active `activeAgoMs` ago. */
async function sessionAged(signedInAgoMs: number, activeAgoMs: number) {
  const signedIn = await signedInUser(new Date(Date.now() - signedInAgoMs));
  await db().session.update({ where: { id: signedIn.session.id }, data: { lastActiveAt: new Date(Date.now() - activeAgoMs) } });
  return signedIn;
}

const KINDS = [
  { name: 'idle', reason: 'idle_timeout', make: () => sessionAged(2 * HOUR_MS, IDLE_MS + 60_000) },
  { name: 'absolute', reason: 'absolute_timeout', make: () => sessionAged(25 * HOUR_MS, 60_000) },
] as const;

async function timeoutEvents(sessionId: string) {
  return db().securityEvent.findMany({ where: { sessionId, type: 'session_expired' } });
}

const renew = (refreshToken: string) => refresh(apiRequest('/api/auth/refresh', { cookies: { [cookieNames().refresh]: refreshToken } }));

describe('a timeout found by a refused renewal is written, once, with its event', () => {
  for (const kind of KINDS) {
    test(`${kind.name}: the row ends with ${kind.reason}, /activity gets one event, and every later renewal still says why`, async () => {
      const { user, session, refreshToken } = await kind.make();
      for (let attempt = 0; attempt < 2; attempt++) {
        const response = await renew(refreshToken);
        assert.equal(response.status, 401);
        assert.equal(setCookies(response).get(signedOutReasonCookieName())?.value, kind.reason, `renewal ${attempt + 1}`);
      }
      const row = await db().session.findUniqueOrThrow({ where: { id: session.id } });
      assert.equal(row.revokedReason, kind.reason);
      const events = await timeoutEvents(session.id);
      assert.equal(events.length, 1, 'written once');
      assert.equal(events[0].userId, user.id);
      assert.equal(securityEventLabel(events[0].type), 'Session timed out and was signed out');
    });
  }

  test('several instances refusing the same timed-out token at once write one ending and one event', async () => {
    const { session, refreshToken } = await KINDS[0].make();
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => rotateRefreshToken(refreshToken, meta)));
    for (const outcome of outcomes) assert.equal(outcome.status, 'rejected');
    assert.equal((await timeoutEvents(session.id)).length, 1);
  });
});

describe('a timeout found by a refused sensitive action is written too', () => {
  test('the action is refused as ended, the reason cookie is set, and the row and event are written', async () => {
    const { user, session } = await KINDS[0].make();
    // A token still valid, e.g. issued by a renewal just before the idle deadline passed.
    const access = await signAccessToken({ userId: user.id, email: user.email, sessionId: session.id });
    const { request, cookiesSet } = sensitiveRequestWith(access.token, new Date());
    const result = await runSensitiveAction(signOutSessionsDefinition, request, formData({ scope: 'others' }));
    assert.equal(result.status === 'error' && result.code, 'session_ended');
    assert.equal(cookiesSet.get(signedOutReasonCookieName())?.value, 'idle_timeout');
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedReason, 'idle_timeout');
    assert.equal((await timeoutEvents(session.id)).length, 1);
  });
});

describe('housekeeping writes a timeout nothing noticed before deleting the row', () => {
  test('the owner still sees the ending on /activity after the session row is gone', async () => {
    const { user, session } = await KINDS[1].make();
    const counts = await pruneExpiredRecords(new Date(Date.now() + 3_600_000));
    assert.ok(counts.timedOutSessions >= 1);
    assert.equal(await db().session.count({ where: { id: session.id } }), 0, 'pruned');
    const events = await db().securityEvent.findMany({ where: { userId: user.id, type: 'session_expired' } });
    assert.equal(events.length, 1);
  });
});
