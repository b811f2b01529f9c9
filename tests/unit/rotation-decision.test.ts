/**
 * The rotation's decision (lib/session/rotation-decision.ts) as a table: what the lookup found, the
 * request's other cookies and the moment in, one decision out. No database, no clock: every branch
 * of a refresh, and every refusal's row of REFUSALS, without a server.
 *
 *   node --conditions=react-server --import tsx --test tests/unit/rotation-decision.test.ts
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';

// The idle timeout is the configuration's (through `sessionState`); set before any module reads it.
process.env.ACCESS_TOKEN_KEYS = `k:${randomBytes(32).toString('base64url')}`;
process.env.SESSION_IDLE_TIMEOUT_SECONDS = '3600';
process.env.SESSION_ABSOLUTE_TIMEOUT_SECONDS = '86400';

const { decideConsumed, decideRotation, endedByReplacement, REFUSALS, refusalOf } = await import('../../lib/session/rotation-decision');
const { signedOutReasonFor } = await import('../../lib/session/signed-out-reason');
type PresentedToken = import('../../lib/session/rotation-decision').PresentedToken;
type RotationDecision = import('../../lib/session/rotation-decision').RotationDecision;
type RotationRequest = import('../../lib/session/rotation-decision').RotationRequest;

const policy = { reuseGraceMs: 10_000, maxRecentRotations: 5 };
const signIn = new Date('2026-11-28T06:00:00.000Z');
const at = (seconds: number) => new Date(signIn.getTime() + seconds * 1000);
const HOUR = 3_600;

/** A live sign-in token of a live session, one minute after sign-in; `change` overrides any field. */
function token(change: { token?: Partial<PresentedToken>; session?: Partial<PresentedToken['session']> } = {}): PresentedToken {
  return {
    id: 'token-1',
    createdAt: signIn,
    rotatedAt: null,
    revokedAt: null,
    rotations: { rotations: 0, lastRotatedAt: null },
    recentRotations: 0,
    binding: { kind: 'none', publicKey: null, nonce: null },
    ...change.token,
    session: {
      id: 'session-1',
      user: { id: 'user-1', email: 'alice@example.com' },
      lastActiveAt: signIn,
      expiresAt: at(24 * HOUR),
      revokedAt: null,
      revokedReason: null,
      ...change.session,
    },
  };
}

/** A live sign-in token of a session bound to a page key, its nonce `n1`. */
function bound(change: Partial<PresentedToken> = {}): PresentedToken {
  return token({ token: { binding: { kind: 'key_proof', publicKey: '{}', nonce: 'n1' }, ...change } });
}

/** The live successor issued by a rotation `seconds` after sign-in (the session's only one so far). */
function successorOf(seconds: number, change: Partial<PresentedToken> = {}): PresentedToken {
  return token({
    token: { id: 'token-2', createdAt: at(seconds), rotations: { rotations: 1, lastRotatedAt: at(seconds) }, recentRotations: 1, ...change },
    session: { lastActiveAt: at(seconds) },
  });
}

/** The decision without the token it names: what the table compares. */
function what(decision: RotationDecision) {
  if (decision.do === 'refuse') return decision.rejection;
  return 'state' in decision ? { do: decision.do, state: decision.state } : { do: decision.do };
}

type Row = { name: string; found: PresentedToken | null; request?: RotationRequest; now: Date; expect: unknown };

const rejected = (reason: string, extra: object = {}) => ({ status: 'rejected', reason, ...extra });

const rows: Row[] = [
  // Nothing to rotate.
  { name: 'unknown token (never issued, pruned, malformed or absent)', found: null, now: at(60), expect: rejected('unknown') },
  // Cookie tossing: one reason, from either piece of evidence, before anything else is looked at.
  { name: 'a session cookie sent twice', found: token(), request: { duplicatedCookies: true }, now: at(60), expect: rejected('session_mismatch') },
  { name: 'a session cookie sent twice, even with no token found', found: null, request: { duplicatedCookies: true }, now: at(60), expect: rejected('session_mismatch') },
  { name: 'the access token names another session', found: token(), request: { accessTokenSessionId: 'session-2' }, now: at(60), expect: rejected('session_mismatch') },
  {
    name: 'the access token names another session, whose own refresh token was already used (nothing is revoked)',
    found: token({ token: { rotatedAt: at(30) } }),
    request: { accessTokenSessionId: 'session-2' },
    now: at(HOUR),
    expect: rejected('session_mismatch'),
  },
  { name: 'the access token names the same session: rotated', found: token(), request: { accessTokenSessionId: 'session-1' }, now: at(60), expect: { do: 'rotate' } },
  // The session is over.
  {
    name: 'revoked session: refused with the stored reason',
    found: token({ session: { revokedAt: at(30), revokedReason: 'revoked_by_user' } }),
    now: at(60),
    expect: rejected('revoked', { revokedReason: 'revoked_by_user' }),
  },
  {
    name: 'revoked by its own password entry (password change): withdrawn, cookies left alone',
    found: token({ session: { revokedAt: at(30), revokedReason: 'password_changed' } }),
    now: at(60),
    expect: rejected('withdrawn'),
  },
  {
    name: 'revoked by its own password entry (step-up): withdrawn',
    found: token({ session: { revokedAt: at(30), revokedReason: 'reauthenticated' } }),
    now: at(60),
    expect: rejected('withdrawn'),
  },
  {
    name: 'revoked session whose token was already used: revoked, no second reuse revocation',
    found: token({ token: { rotatedAt: at(30) }, session: { revokedAt: at(40), revokedReason: 'refresh_token_reuse' } }),
    now: at(HOUR),
    expect: rejected('revoked', { revokedReason: 'refresh_token_reuse' }),
  },
  { name: 'idle timeout (ASVS 7.3.1): the ending is written', found: token(), now: at(HOUR), expect: { do: 'end_timed_out', state: 'idle_expired' } },
  { name: 'one millisecond before the idle deadline: rotated', found: token(), now: new Date(at(HOUR).getTime() - 1), expect: { do: 'rotate' } },
  {
    name: 'absolute timeout (ASVS 7.3.2), however recently used: the ending is written',
    found: token({ session: { lastActiveAt: at(24 * HOUR - 60) } }),
    now: at(24 * HOUR),
    expect: { do: 'end_timed_out', state: 'absolute_expired' },
  },
  // A live session.
  { name: 'withdrawn token of a live session', found: token({ token: { revokedAt: at(30) } }), now: at(60), expect: rejected('withdrawn') },
  { name: 'a live sign-in token: rotated at once', found: token(), now: at(1), expect: { do: 'rotate' } },
  {
    name: 'a successor younger than the grace window: answered with itself',
    found: successorOf(100),
    now: at(109),
    expect: { do: 'answer_current' },
  },
  {
    name: 'a successor exactly the grace window old: rotated',
    found: successorOf(100),
    now: at(110),
    expect: { do: 'rotate' },
  },
  {
    name: 'the rotation budget spent: answered with the current pair',
    found: successorOf(100, { recentRotations: 5 }),
    now: at(200),
    expect: { do: 'answer_current' },
  },
  {
    name: 'one rotation short of the budget: rotated',
    found: successorOf(100, { recentRotations: 4 }),
    now: at(200),
    expect: { do: 'rotate' },
  },
  // A used token: a sibling of its rotation, or a replay.
  { name: 'used, presented within the grace window: a sibling', found: token({ token: { rotatedAt: at(60) } }), now: at(65), expect: { do: 'answer_sibling' } },
  { name: 'used, presented exactly at the end of the grace window: a sibling', found: token({ token: { rotatedAt: at(60) } }), now: at(70), expect: { do: 'answer_sibling' } },
  {
    name: 'used, presented after the grace window: reuse, the whole session is revoked (RFC 9700 4.14.2)',
    found: token({ token: { rotatedAt: at(60) } }),
    now: new Date(at(70).getTime() + 1),
    expect: { do: 'revoke_for_reuse' },
  },
  // A key-bound session (docs/decisions/0102-key-bound-renewal.md): after the session's state, before the token's.
  { name: 'key-bound, no proof: refused, nothing consumed', found: bound(), request: {}, now: at(60), expect: rejected('proof_required') },
  { name: 'key-bound, proof absent', found: bound(), request: { proof: { status: 'absent' } }, now: at(60), expect: rejected('proof_required') },
  { name: 'key-bound, valid proof: rotates', found: bound(), request: { proof: { status: 'verified', nonce: 'n1' } }, now: at(60), expect: { do: 'rotate' } },
  { name: 'key-bound, a used nonce: sign again on the current one', found: bound(), request: { proof: { status: 'failed', reason: 'wrong_nonce' } }, now: at(60), expect: rejected('proof_retry', { nonce: 'n1' }) },
  { name: 'key-bound, a drifted clock: sign again', found: bound(), request: { proof: { status: 'failed', reason: 'stale' } }, now: at(60), expect: rejected('proof_retry', { nonce: 'n1' }) },
  { name: 'key-bound, another key: the session ends', found: bound(), request: { proof: { status: 'failed', reason: 'wrong_key' } }, now: at(60), expect: { do: 'end_for_failed_proof' } },
  { name: 'key-bound, a proof for another URL: the session ends', found: bound(), request: { proof: { status: 'failed', reason: 'wrong_url' } }, now: at(60), expect: { do: 'end_for_failed_proof' } },
  {
    name: 'key-bound, a used token without a proof: refused, never taken for reuse',
    found: bound({ rotatedAt: at(60) }),
    request: {},
    now: at(600),
    expect: rejected('proof_required'),
  },
  {
    name: 'key-bound, a revoked session is refused as revoked, whatever the proof',
    found: token({ token: { binding: { kind: 'key_proof', publicKey: '{}', nonce: 'n1' } }, session: { revokedAt: at(30), revokedReason: 'revoked_by_user' } }),
    request: { proof: { status: 'failed', reason: 'wrong_key' } },
    now: at(60),
    expect: rejected('revoked', { revokedReason: 'revoked_by_user' }),
  },
  { name: 'a DBSC session: its refresh tokens were withdrawn, so any presented is a copy', found: token({ token: { binding: { kind: 'dbsc', publicKey: '{}', nonce: null } } }), now: at(60), expect: rejected('dbsc_bound') },
  {
    name: 'a binding this build does not know fails closed: refused without a proof, and with one, ending nothing',
    found: token({ token: { binding: { kind: 'unrecognised', publicKey: null, nonce: null } } }),
    request: { proof: { status: 'failed', reason: 'wrong_key' } },
    now: at(60),
    expect: rejected('proof_required'),
  },
  { name: 'a binding this build does not know, no proof: refused', found: token({ token: { binding: { kind: 'unrecognised', publicKey: null, nonce: null } } }), now: at(60), expect: rejected('proof_required') },
  { name: 'an unbound session ignores a proof', found: token(), request: { proof: { status: 'failed', reason: 'wrong_key' } }, now: at(60), expect: { do: 'rotate' } },
];

describe('decideRotation: every branch of a refresh, from what the lookup found', () => {
  for (const row of rows) {
    test(row.name, () => {
      assert.deepEqual(what(decideRotation(row.found, row.request ?? {}, row.now, policy)), row.expect);
    });
  }

  test('every decision but a refusal names the token found, for the shell to act on', () => {
    const found = token();
    const decision = decideRotation(found, {}, at(60), policy);
    assert.equal(decision.do !== 'refuse' && decision.token, found);
  });
});

describe('deciding again after another request wrote between this one’s read and its write (readLiveBefore)', () => {
  const again = (found: PresentedToken | null, now: Date) => decideRotation(found, { readLiveBefore: true }, now, policy);
  test('consumed since this request read it live, moments ago: a sibling', () => {
    assert.deepEqual(what(again(token({ token: { rotatedAt: at(60) } }), at(61))), { do: 'answer_sibling' });
  });
  test('consumed by a request that arrived longer ago than the grace window but wrote after this one read: still a sibling, never reuse', () => {
    assert.deepEqual(what(again(token({ token: { rotatedAt: at(60) } }), at(71))), { do: 'answer_sibling' });
    assert.deepEqual(what(again(token({ token: { rotatedAt: at(60) } }), at(90))), { do: 'answer_sibling' });
  });
  test('the same token read consumed in the first place, after the window: reuse (the flag alone makes the difference)', () => {
    assert.deepEqual(what(decideRotation(token({ token: { rotatedAt: at(60) } }), {}, at(71), policy)), { do: 'revoke_for_reuse' });
  });
  test('not consumed but withdrawn meanwhile (a logout raced the rotation): withdrawn', () => {
    assert.deepEqual(what(again(token({ token: { revokedAt: at(60) } }), at(61))), rejected('withdrawn'));
  });
  test('gone meanwhile (pruned): unknown, the cookies left alone', () => {
    assert.deepEqual(what(again(null, at(61))), rejected('unknown'));
  });
  test('the session ended after the other request rotated (a revocation): refused as it ended, no sibling answer', () => {
    const ended = token({ token: { rotatedAt: at(60) }, session: { revokedAt: at(61), revokedReason: 'revoked_by_user' } });
    assert.deepEqual(again(ended, at(62)), { do: 'refuse', rejection: { status: 'rejected', reason: 'revoked', revokedReason: 'revoked_by_user' } });
  });
  test('the session was replaced by a password entry meanwhile: withdrawn, the browser holds the new one', () => {
    const replaced = token({ token: { rotatedAt: at(60) }, session: { revokedAt: at(61), revokedReason: 'reauthenticated' } });
    assert.deepEqual(what(again(replaced, at(62))), rejected('withdrawn'));
  });
  test('a key-bound session still needs its proof: without one, refused before any sibling answer', () => {
    const consumed = bound({ rotatedAt: at(60) });
    assert.deepEqual(what(decideRotation(consumed, { readLiveBefore: true, proof: { status: 'absent' } }, at(61), policy)), rejected('proof_required'));
  });
});

describe('decideConsumed: a token already consumed when this request read it', () => {
  test('rotated within the grace window: a sibling', () => {
    assert.deepEqual(what(decideConsumed(token({ token: { rotatedAt: at(60) } }), at(70), policy)), { do: 'answer_sibling' });
  });
  test('rotated longer ago than the grace window: reuse', () => {
    assert.deepEqual(what(decideConsumed(token({ token: { rotatedAt: at(60) } }), at(71), policy)), { do: 'revoke_for_reuse' });
  });
});

describe('REFUSALS: what each refusal does to the browser', () => {
  const refusal = (reason: keyof typeof REFUSALS, revokedReason?: string | null) =>
    refusalOf(revokedReason === undefined ? { status: 'rejected', reason } : { status: 'rejected', reason, revokedReason });

  test('unknown and withdrawn leave the cookies alone: the request may have raced newer ones', () => {
    assert.deepEqual(refusal('unknown'), { httpStatus: 401, clearsCookies: false, signedOutReason: null });
    assert.deepEqual(refusal('withdrawn'), { httpStatus: 401, clearsCookies: false, signedOutReason: null });
  });
  test('a planted cookie clears the cookies and explains nothing', () => {
    assert.deepEqual(refusal('session_mismatch'), { httpStatus: 401, clearsCookies: true, signedOutReason: null });
  });
  test('an ending the holder did not choose clears the cookies and says why', () => {
    assert.deepEqual(refusal('reused'), { httpStatus: 401, clearsCookies: true, signedOutReason: 'refresh_token_reuse' });
    assert.deepEqual(refusal('idle_expired'), { httpStatus: 401, clearsCookies: true, signedOutReason: 'idle_timeout' });
    assert.deepEqual(refusal('absolute_expired'), { httpStatus: 401, clearsCookies: true, signedOutReason: 'absolute_timeout' });
    assert.deepEqual(refusal('revoked', 'revoked_by_user'), { httpStatus: 401, clearsCookies: true, signedOutReason: 'revoked_by_user' });
    assert.deepEqual(refusal('revoked', 'lab_token_copied'), { httpStatus: 401, clearsCookies: true, signedOutReason: 'ended_on_lab' });
  });
  test('a revoked session its holder ended (logout) clears the cookies and says nothing', () => {
    assert.deepEqual(refusal('revoked', 'logout'), { httpStatus: 401, clearsCookies: true, signedOutReason: null });
  });
  test('the table tells the same reason as the checked path would for the same ending', () => {
    for (const state of ['reused', 'idle_expired', 'absolute_expired'] as const) {
      assert.equal(REFUSALS[state].tellsWhy, signedOutReasonFor({ state }), state);
    }
  });
  test('only a refusal that clears the cookies ever tells a reason', () => {
    for (const [reason, row] of Object.entries(REFUSALS)) {
      assert.ok(row.clearsCookies || row.tellsWhy === null, reason);
    }
  });
});

describe('endedByReplacement: only the holder’s own password entry', () => {
  test('password change and step-up in this session; nothing else', () => {
    assert.equal(endedByReplacement('password_changed'), true);
    assert.equal(endedByReplacement('reauthenticated'), true);
    for (const reason of ['lab_token_copied', 'password_changed_elsewhere', 'logout', 'refresh_token_reuse', null]) {
      assert.equal(endedByReplacement(reason), false, String(reason));
    }
  });
});
