/**
 * Ending sessions from /sessions (ASVS 7.5.2) through the checked path: lib/sensitive-actions/sign-out-sessions-action.ts.
 * What a person and an attacker see: the session ends at once for renewal and sensitive actions, a
 * session id of another account is refused exactly like one that never existed (IDOR), step-up is
 * required, and the revocation and its event commit together.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { failEventInserts, formData, meta, secondsLater, sensitiveRequestWith, signedInUser } from '../helpers/fixtures';
import { db } from '../../lib/db/client';
import { UNEXPECTED_ERROR } from '../../lib/forms/messages';
import { signAccessToken } from '../../lib/tokens/access-token';
import { signedOutReasonCookieName } from '../../lib/tokens/cookies';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { SESSION_NOT_FOUND, signOutSessionsDefinition } from '../../lib/sensitive-actions/sign-out-sessions-action';
import { rotateRefreshToken } from '../../lib/session/rotate-refresh-token';
import { createSession, revokeSession } from '../../lib/session/session-store';
import { listActiveSessions } from '../../lib/session/session-list';

useTestDatabase();

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

/**
 * Alice signed in on this browser (fresh password entry; bound to its key, as a sign-in through the form
 * is: an unbound session's password rule is tests/integration/binding-policy.test.ts's) and on two other devices.
 */
async function aliceOnThreeDevices(now: Date) {
  const alice = await signedInUser(now, { bound: true });
  const laptop = await createSession(alice.user.id, { ipAddress: '203.0.113.9', userAgent: FIREFOX }, now);
  const phone = await createSession(alice.user.id, { ipAddress: '198.51.100.7', userAgent: PHONE }, now);
  return { alice, laptop, phone };
}

/** Who presses: an access token, and the form as that browser's page sends it (with its key's proof when bound). */
type Presser = { accessToken: string; actionForm?: (values: Record<string, string>, at: Date) => Promise<FormData> };

async function formOf(who: Presser, values: Record<string, string>, now: Date) {
  return who.actionForm ? who.actionForm(values, now) : formData(values);
}

async function signOutOne(who: Presser, now: Date, sessionId: string) {
  const { request, cookiesSet } = sensitiveRequestWith(who.accessToken, now);
  const result = await runSensitiveAction(signOutSessionsDefinition, request, await formOf(who, { scope: 'one', sessionId }, now));
  return { result, cookiesSet };
}

async function signOutOthers(who: Presser, now: Date) {
  return runSensitiveAction(signOutSessionsDefinition, sensitiveRequestWith(who.accessToken, now).request, await formOf(who, { scope: 'others' }, now));
}

async function sessionSnapshot(userId: string) {
  return db().session.findMany({ where: { userId }, orderBy: { id: 'asc' }, include: { refreshTokens: { orderBy: { id: 'asc' } } } });
}

async function eventsOf(userId: string, type: string) {
  return db().securityEvent.findMany({ where: { userId, type } });
}

describe('signing out one of your other sessions', () => {
  test('ends it at once: its refresh token is refused and its access token can no longer act; the rest go on', async () => {
    const now = new Date('2026-07-01T10:00:00Z');
    const { alice, laptop, phone } = await aliceOnThreeDevices(now);
    const at = secondsLater(now, 30);

    const { result } = await signOutOne(alice, at, laptop.session.id);
    assert.deepEqual(result, { status: 'success', message: 'Signed out Firefox 133 on Windows 10.' });

    const row = await db().session.findUniqueOrThrow({ where: { id: laptop.session.id } });
    assert.equal(row.revokedReason, 'revoked_by_user');
    assert.equal(row.revokedAt?.getTime(), at.getTime());
    // Renewal: refused, and its holder's sign-in page will say why.
    assert.deepEqual(await rotateRefreshToken(laptop.refreshToken.token, meta, secondsLater(at, 1)), {
      status: 'rejected',
      reason: 'revoked',
      revokedReason: 'revoked_by_user',
    });
    // Sensitive actions: a live access token of the ended session is refused by the session row.
    const laptopAccess = await signAccessToken({ userId: alice.user.id, email: alice.user.email, sessionId: laptop.session.id }, at);
    const fromLaptop = await signOutOthers({ accessToken: laptopAccess.token }, secondsLater(at, 1));
    assert.equal(fromLaptop.status === 'error' && fromLaptop.code, 'session_ended');

    // This browser and the phone are untouched.
    assert.deepEqual(
      (await listActiveSessions(alice.user.id, secondsLater(at, 2))).map((s) => s.id).sort(),
      [alice.session.id, phone.session.id].sort(),
    );
    assert.equal((await rotateRefreshToken(phone.refreshToken.token, meta, secondsLater(at, 2))).status, 'rotated');

    // The event: written against the session that acted, naming the device that was signed out.
    const [event] = await eventsOf(alice.user.id, 'session_revoked');
    assert.equal(event.sessionId, alice.session.id);
    assert.equal(event.detail, 'Signed out Firefox 133 on Windows 10 at 203.0.113.9.');
    assert.equal(event.createdAt.getTime(), at.getTime());
  });

  test('IDOR: another account’s session id is refused exactly like an unknown id, and that session lives on', async () => {
    const now = new Date('2026-07-02T10:00:00Z');
    const { alice } = await aliceOnThreeDevices(now);
    const mallory = await signedInUser(now);
    const malloryBefore = await sessionSnapshot(mallory.user.id);
    const aliceBefore = await sessionSnapshot(alice.user.id);

    const theirs = await signOutOne(alice, secondsLater(now, 5), mallory.session.id);
    const unknown = await signOutOne(alice, secondsLater(now, 5), randomUUID());
    const refused = { status: 'error', code: 'refused', message: SESSION_NOT_FOUND };
    assert.deepEqual(theirs.result, refused);
    assert.deepEqual(unknown.result, theirs.result, 'the same answer: nothing says the id exists');
    assert.deepEqual([...theirs.cookiesSet.keys()], [...unknown.cookiesSet.keys()]);

    assert.deepEqual(await sessionSnapshot(mallory.user.id), malloryBefore, "the other account's session and tokens are untouched");
    assert.deepEqual(await sessionSnapshot(alice.user.id), aliceBefore);
    assert.equal((await rotateRefreshToken(mallory.refreshToken, meta, secondsLater(now, 6))).status, 'rotated');
    assert.equal(
      await db().securityEvent.count({ where: { type: 'session_revoked', userId: { in: [alice.user.id, mallory.user.id] } } }),
      0,
      'no event for a change that did not happen',
    );
  });

  test('this browser’s own session and an already-ended one get the same refusal (sign out is the way to end your own)', async () => {
    const now = new Date('2026-07-03T10:00:00Z');
    const { alice, laptop } = await aliceOnThreeDevices(now);
    await revokeSession(laptop.session.id, 'logout', now);
    for (const sessionId of [alice.session.id, laptop.session.id]) {
      const { result } = await signOutOne(alice, secondsLater(now, 5), sessionId);
      assert.deepEqual(result, { status: 'error', code: 'refused', message: SESSION_NOT_FOUND });
    }
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: alice.session.id } })).revokedAt, null);
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: laptop.session.id } })).revokedReason, 'logout', 'its reason is not rewritten');
  });

  test('a malformed session id is refused as invalid input before anything is looked up', async () => {
    const now = new Date('2026-07-04T10:00:00Z');
    const { alice } = await aliceOnThreeDevices(now);
    const { result } = await signOutOne(alice, secondsLater(now, 5), "' OR 1=1 --");
    assert.equal(result.status === 'error' && result.code, 'invalid_input');
    assert.equal((await listActiveSessions(alice.user.id, secondsLater(now, 5))).length, 3);
  });
});

describe('signing out all other sessions', () => {
  test('ends every other live session of this account, none of another account’s, and records how many', async () => {
    const now = new Date('2026-07-05T10:00:00Z');
    const { alice, laptop, phone } = await aliceOnThreeDevices(now);
    const bob = await signedInUser(now);
    const at = secondsLater(now, 60);

    assert.deepEqual(await signOutOthers(alice, at), { status: 'success', message: 'Signed out 2 other sessions.' });
    for (const other of [laptop, phone]) {
      const row = await db().session.findUniqueOrThrow({ where: { id: other.session.id } });
      assert.equal(row.revokedReason, 'revoked_by_user');
      assert.equal((await rotateRefreshToken(other.refreshToken.token, meta, secondsLater(at, 1))).status, 'rejected');
    }
    assert.deepEqual((await listActiveSessions(alice.user.id, secondsLater(at, 1))).map((s) => s.id), [alice.session.id]);
    assert.equal((await listActiveSessions(bob.user.id, secondsLater(at, 1))).length, 1, "bob's session is untouched");

    const [event] = await eventsOf(alice.user.id, 'other_sessions_revoked');
    assert.equal(event.detail, '2 other sessions signed out from the sessions page.');
    assert.equal(event.sessionId, alice.session.id);

    // Nothing left to end: said plainly, and no event.
    assert.deepEqual(await signOutOthers(alice, secondsLater(at, 2)), {
      status: 'success',
      message: 'There were no other sessions to sign out.',
    });
    assert.equal((await eventsOf(alice.user.id, 'other_sessions_revoked')).length, 1);
  });
});

describe('step-up: ending sessions needs a recent password entry, as a payment does (ASVS 7.5.3)', () => {
  test('with a stale password entry both forms ask for the password and end nothing', async () => {
    const now = new Date('2026-07-06T10:00:00Z');
    const { alice, laptop } = await aliceOnThreeDevices(now);
    // 250 s later the access token is still live; the password was last typed 700 s ago (window: 600 s).
    const at = secondsLater(now, 250);
    await db().session.update({ where: { id: alice.session.id }, data: { authenticatedAt: secondsLater(at, -700) } });
    const before = await sessionSnapshot(alice.user.id);

    const one = await signOutOne(alice, at, laptop.session.id);
    const others = await signOutOthers(alice, at);
    for (const result of [one.result, others]) {
      assert.equal(result.status === 'error' && result.code, 'reauth_required');
    }
    assert.deepEqual(await sessionSnapshot(alice.user.id), before);
  });
});

describe('nothing lost: a revocation and its security event commit together', () => {
  for (const [scope, type] of [
    ['one', 'session_revoked'],
    ['others', 'other_sessions_revoked'],
  ] as const) {
    test(`signing out ${scope === 'one' ? 'one session' : 'all others'} whose ${type} event cannot be written ends nothing`, async (t) => {
      const now = new Date('2026-07-07T10:00:00Z');
      const { alice, laptop } = await aliceOnThreeDevices(now);
      const before = await sessionSnapshot(alice.user.id);
      t.mock.method(console, 'error', () => {});
      const undo = await failEventInserts(type);
      let result;
      try {
        result =
          scope === 'one'
            ? (await signOutOne(alice, secondsLater(now, 5), laptop.session.id)).result
            : await signOutOthers(alice, secondsLater(now, 5));
      } finally {
        await undo();
      }
      assert.deepEqual(result, { status: 'error', code: 'unexpected', message: UNEXPECTED_ERROR });
      assert.deepEqual(await sessionSnapshot(alice.user.id), before, 'no session revoked, no token withdrawn');
      assert.equal((await rotateRefreshToken(laptop.refreshToken.token, meta, secondsLater(now, 6))).status, 'rotated');
    });
  }
});

describe('the ended session is told why, and only it', () => {
  test('its next sensitive action is refused and sets the reason for its own sign-in page', async () => {
    const now = new Date('2026-07-08T10:00:00Z');
    const { alice, laptop } = await aliceOnThreeDevices(now);
    await signOutOne(alice, secondsLater(now, 5), laptop.session.id);

    const laptopAccess = await signAccessToken({ userId: alice.user.id, email: alice.user.email, sessionId: laptop.session.id }, secondsLater(now, 6));
    const { request, cookiesSet } = sensitiveRequestWith(laptopAccess.token, secondsLater(now, 6));
    const refused = await runSensitiveAction(signOutSessionsDefinition, request, formData({ scope: 'others' }));
    assert.equal(refused.status === 'error' && refused.code, 'session_ended');
    assert.deepEqual(cookiesSet.get(signedOutReasonCookieName()), { value: 'revoked_by_user', maxAge: 120 });

    // The browser that did the signing out learns nothing new about itself.
    const mine = await signOutOne(alice, secondsLater(now, 7), laptop.session.id);
    assert.equal(mine.cookiesSet.has(signedOutReasonCookieName()), false);
  });
});
