/**
 * The DBSC refresh's decision (lib/session/dbsc-decision.ts) as a table: the session the browser's
 * Sec-Secure-Session-Id names and the checked proof in, one answer out. The session's state comes
 * before the proof; a missing proof only asks for one; only a present proof that is not the
 * registered key's ends the session.
 *
 *   node --conditions=react-server --import tsx --test tests/unit/dbsc-decision.test.ts
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';

process.env.ACCESS_TOKEN_KEYS = `k:${randomBytes(32).toString('base64url')}`;
process.env.SESSION_IDLE_TIMEOUT_SECONDS = '3600';
process.env.SESSION_ABSOLUTE_TIMEOUT_SECONDS = '86400';

const { decideDbscRefresh, dbscRefusalOf } = await import('../../lib/session/dbsc-decision');
type DbscSessionRow = import('../../lib/session/dbsc-decision').DbscSessionRow;
type DbscRefreshProof = import('../../lib/session/dbsc-decision').DbscRefreshProof;

const signIn = new Date('2026-12-07T20:00:00.000Z');
const at = (seconds: number) => new Date(signIn.getTime() + seconds * 1000);

function row(change: Partial<DbscSessionRow> = {}): DbscSessionRow {
  return {
    id: 'session-1',
    user: { id: 'user-1', email: 'a@example.com' },
    bindingPublicKey: '{}',
    lastActiveAt: signIn,
    expiresAt: at(86_400),
    revokedAt: null,
    revokedReason: null,
    ...change,
  };
}

const absent: DbscRefreshProof = { status: 'absent' };
const verified: DbscRefreshProof = { status: 'verified', challenge: 'c1' };

describe('a DBSC refresh, decided', () => {
  test('a live session with its key’s proof refreshes on the challenge the proof signed', () => {
    assert.deepEqual(decideDbscRefresh(row(), verified, at(60)), { do: 'refresh', challenge: 'c1' });
  });

  test('no proof (no cached challenge, or someone without the key) asks for one and ends nothing', () => {
    assert.deepEqual(decideDbscRefresh(row(), absent, at(60)), { do: 'challenge' });
    assert.deepEqual(dbscRefusalOf({ do: 'challenge' }), { httpStatus: 403, clearsCookies: false, signedOutReason: null });
  });

  test('another key, a forged signature, a key in the header, no challenge claim: the session ends, its owner is told', () => {
    for (const reason of ['bad_signature', 'bad_key', 'wrong_algorithm', 'wrong_type', 'malformed', 'missing_challenge', 'too_large'] as const) {
      const decision = decideDbscRefresh(row(), { status: 'failed', reason }, at(60));
      assert.deepEqual(decision, { do: 'end_for_failed_proof', failure: reason }, reason);
      assert.deepEqual(dbscRefusalOf(decision as { do: 'end_for_failed_proof'; failure: typeof reason }), {
        httpStatus: 401,
        clearsCookies: true,
        signedOutReason: 'binding_proof_failed',
      });
    }
  });

  test('an unknown identifier is a 404, which ends the browser’s DBSC session and nothing else', () => {
    assert.deepEqual(decideDbscRefresh(null, verified, at(60)), { do: 'unknown' });
    assert.deepEqual(dbscRefusalOf({ do: 'unknown' }), { httpStatus: 404, clearsCookies: false, signedOutReason: null });
  });

  test('an ended session is over whatever the proof: 401 with the reason stored on the row', () => {
    const revoked = row({ revokedAt: at(30), revokedReason: 'revoked_by_user' });
    for (const proof of [absent, verified, { status: 'failed', reason: 'bad_signature' } as const]) {
      const decision = decideDbscRefresh(revoked, proof, at(60));
      assert.deepEqual(decision, { do: 'terminate', signedOutReason: 'revoked_by_user' });
    }
    assert.deepEqual(dbscRefusalOf({ do: 'terminate', signedOutReason: 'revoked_by_user' }), {
      httpStatus: 401,
      clearsCookies: true,
      signedOutReason: 'revoked_by_user',
    });
    assert.deepEqual(decideDbscRefresh(row({ revokedAt: at(30), revokedReason: 'logout' }), verified, at(60)), {
      do: 'terminate',
      signedOutReason: null,
    });
  });

  test('a session past its idle or absolute deadline is ended as timed out before any proof counts', () => {
    assert.deepEqual(decideDbscRefresh(row(), verified, at(3_600)), { do: 'end_timed_out', state: 'idle_expired' });
    assert.deepEqual(decideDbscRefresh(row({ lastActiveAt: at(86_000) }), verified, at(86_400)), { do: 'end_timed_out', state: 'absolute_expired' });
  });
});
