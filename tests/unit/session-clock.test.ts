/**
 * The browser's session clock (lib/client/session-clock.ts): how much of the access token is left,
 * which clock describes the token the browser holds, and the store that renewals publish to.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  accessTokenLeft,
  clockFromRenewalAnswer,
  getSessionClockSnapshot,
  holdsNewerToken,
  newestClock,
  reportAccessTokenSeen,
  reportRenewalFinished,
  reportRenewalStarted,
  resetSessionClock,
  subscribeToSessionClock,
  type SessionClock,
} from '../../lib/client/session-clock';

const issuedAt = '2026-11-28T06:30:00.000Z';
const expiresAt = '2026-11-28T06:35:00.000Z';
const at = (iso: string) => new Date(iso);

function clock(overrides: { sessionId?: string; issuedAt?: string; expiresAt?: string; readAt?: string } = {}): SessionClock {
  return {
    sessionId: overrides.sessionId ?? 'session-1',
    accessToken: { issuedAt: overrides.issuedAt ?? issuedAt, expiresAt: overrides.expiresAt ?? expiresAt },
    row: {
      readAt: overrides.readAt ?? overrides.issuedAt ?? issuedAt,
      state: 'active',
      revokedAt: null,
      revokedReason: null,
      idleExpiresAt: '2026-11-29T06:30:00.000Z',
      absoluteExpiresAt: '2026-12-05T06:30:00.000Z',
      lastRotatedAt: null,
      rotations: 0,
    },
  };
}

describe('accessTokenLeft: the bar that runs down', () => {
  const token = { issuedAt, expiresAt };

  test('full at issue, half way at half time, empty and expired at exp', () => {
    assert.deepEqual(accessTokenLeft(token, at(issuedAt)), { secondsLeft: 300, lifetimeSeconds: 300, fraction: 1, phase: 'valid' });
    assert.deepEqual(accessTokenLeft(token, at('2026-11-28T06:32:30.000Z')), {
      secondsLeft: 150,
      lifetimeSeconds: 300,
      fraction: 0.5,
      phase: 'valid',
    });
    assert.deepEqual(accessTokenLeft(token, at(expiresAt)), { secondsLeft: 0, lifetimeSeconds: 300, fraction: 0, phase: 'expired' });
  });

  test('the last fifth of the lifetime reads "expiring"; a second before exp is not yet expired', () => {
    assert.equal(accessTokenLeft(token, at('2026-11-28T06:33:59.000Z')).phase, 'valid');
    assert.equal(accessTokenLeft(token, at('2026-11-28T06:34:00.000Z')).phase, 'expiring');
    const last = accessTokenLeft(token, at('2026-11-28T06:34:59.500Z'));
    assert.equal(last.phase, 'expiring');
    assert.equal(last.secondsLeft, 1, 'rounded up: "0 s" only once expired');
  });

  test('never outside 0..lifetime, whatever the reader’s clock says', () => {
    const early = accessTokenLeft(token, at('2026-11-28T06:29:00.000Z'));
    assert.equal(early.fraction, 1);
    assert.equal(early.secondsLeft, 300);
    const late = accessTokenLeft(token, at('2026-11-28T07:00:00.000Z'));
    assert.equal(late.fraction, 0);
    assert.equal(late.secondsLeft, 0);
  });
});

describe('newestClock: which clock describes the token the browser holds', () => {
  test('a renewal’s later-issued token replaces the page’s', () => {
    const page = clock();
    const renewed = clock({ issuedAt: '2026-11-28T06:36:00.000Z', expiresAt: '2026-11-28T06:41:00.000Z' });
    assert.equal(newestClock(page, renewed), renewed);
    assert.equal(newestClock(renewed, page), renewed, 'an older one never wins back');
  });

  test('another session’s clock never replaces the page’s own', () => {
    const page = clock();
    const other = clock({ sessionId: 'session-2', issuedAt: '2026-11-28T06:36:00.000Z' });
    assert.equal(newestClock(page, other), page);
  });

  test('the same token: the fresher reading of the row wins', () => {
    const first = clock({ readAt: '2026-11-28T06:30:00.000Z' });
    const later = clock({ readAt: '2026-11-28T06:31:00.000Z' });
    assert.equal(newestClock(first, later), later);
    assert.equal(newestClock(later, first), later);
  });

  test('nothing to compare with', () => {
    const page = clock();
    assert.equal(newestClock(page, null), page);
    assert.equal(newestClock(null, page), page);
  });
});

describe('clockFromRenewalAnswer: the refresh handler’s JSON, checked without a schema library', () => {
  const answer = {
    accessTokenExpiresAt: '2026-11-28T06:41:00.000Z',
    accessTokenIssuedAt: '2026-11-28T06:36:00.000Z',
    sessionId: 'session-1',
    session: { ...clock().row, lastRotatedAt: '2026-11-28T06:36:00.000Z', rotations: 1 },
  };

  test('a well-formed answer becomes a clock', () => {
    assert.deepEqual(clockFromRenewalAnswer(answer), {
      sessionId: 'session-1',
      accessToken: { issuedAt: answer.accessTokenIssuedAt, expiresAt: answer.accessTokenExpiresAt },
      row: answer.session,
    });
  });

  test('an answer without the row keeps the token times; a malformed one is no clock', () => {
    assert.equal(clockFromRenewalAnswer({ ...answer, session: null })?.row, null);
    assert.equal(clockFromRenewalAnswer({ ...answer, session: { ...answer.session, state: 'bogus' } })?.row, null);
    assert.equal(clockFromRenewalAnswer({ accessTokenExpiresAt: answer.accessTokenExpiresAt }), null, 'the old answer shape');
    assert.equal(clockFromRenewalAnswer({ ...answer, accessTokenIssuedAt: 'yesterday' }), null);
    assert.equal(clockFromRenewalAnswer(null), null);
    assert.equal(clockFromRenewalAnswer('{}'), null);
  });
});

describe('the store renewals publish to', () => {
  beforeEach(() => resetSessionClock());

  const renewedAnswer = (issued: string, expires: string) => ({
    accessTokenIssuedAt: issued,
    accessTokenExpiresAt: expires,
    sessionId: 'session-1',
    session: clock().row,
  });

  test('listeners hear a renewal start and finish, with the new clock', () => {
    let calls = 0;
    const unsubscribe = subscribeToSessionClock(() => calls++);
    reportRenewalStarted();
    assert.equal(getSessionClockSnapshot().renewing, true);
    reportRenewalFinished('renewed', renewedAnswer(issuedAt, expiresAt), at('2026-11-28T06:30:01.000Z'));
    const snapshot = getSessionClockSnapshot();
    assert.equal(snapshot.renewing, false);
    assert.equal(snapshot.renewed?.accessToken.expiresAt, expiresAt);
    assert.deepEqual(snapshot.last, { outcome: 'renewed', at: '2026-11-28T06:30:01.000Z', count: 1 });
    assert.equal(calls, 2);
    unsubscribe();
    reportRenewalStarted();
    assert.equal(calls, 2, 'no longer notified');
  });

  test('a refused renewal keeps the last good clock and says so; each outcome is counted', () => {
    reportRenewalFinished('renewed', renewedAnswer(issuedAt, expiresAt));
    reportRenewalFinished('refused');
    const snapshot = getSessionClockSnapshot();
    assert.equal(snapshot.renewed?.accessToken.expiresAt, expiresAt);
    assert.equal(snapshot.last?.outcome, 'refused');
    assert.equal(snapshot.last?.count, 2);
  });

  test('a late answer for an older token does not wind the clock back', () => {
    reportRenewalFinished('renewed', renewedAnswer('2026-11-28T06:36:00.000Z', '2026-11-28T06:41:00.000Z'));
    reportRenewalFinished('renewed', renewedAnswer(issuedAt, expiresAt));
    assert.equal(getSessionClockSnapshot().renewed?.accessToken.expiresAt, '2026-11-28T06:41:00.000Z');
  });

  test('the snapshot is a new object only when something changed', () => {
    const before = getSessionClockSnapshot();
    assert.equal(getSessionClockSnapshot(), before);
    reportRenewalStarted();
    const renewing = getSessionClockSnapshot();
    assert.notEqual(renewing, before);
    reportRenewalStarted();
    assert.equal(getSessionClockSnapshot(), renewing, 'a second start while one is in flight changes nothing');
  });
});

describe('a token renewed where the page could not see it (a prefetch’s renewal hop, another tab)', () => {
  beforeEach(() => resetSessionClock());

  test('a later expiry the server accepted means the drawn clock is stale', () => {
    const page = clock();
    reportAccessTokenSeen('session-1', expiresAt);
    assert.equal(holdsNewerToken(page, getSessionClockSnapshot().seen), false, 'the same token');
    reportAccessTokenSeen('session-1', '2026-11-28T06:41:00.000Z');
    assert.equal(holdsNewerToken(page, getSessionClockSnapshot().seen), true);
  });

  test('an older sighting never replaces a newer one, and another session’s token says nothing', () => {
    reportAccessTokenSeen('session-1', '2026-11-28T06:41:00.000Z');
    const newest = getSessionClockSnapshot();
    reportAccessTokenSeen('session-1', expiresAt);
    assert.equal(getSessionClockSnapshot(), newest, 'nothing published');
    assert.equal(holdsNewerToken(clock({ sessionId: 'session-2' }), getSessionClockSnapshot().seen), false);
    reportAccessTokenSeen('session-1', 'not a time');
    assert.equal(getSessionClockSnapshot(), newest);
  });
});
