/**
 * The /lab page's copied access token (lib/lab/token-copy.ts, lib/lab/copy-probes.ts) in the default
 * stateless mode, on a real SQLite file: making the copy signs the session out and continues the
 * person in a new session; the copy reads until it expires but cannot pay or change the password, and
 * changes nothing; only its owner can see or use it; it is sealed at rest and never part of what the
 * page renders. The revocation-list mode's outcome is in tests/unit/revocation-list.test.ts.
 *
 *   node --conditions=react-server --import tsx --test tests/unit/lab.test.ts
 */
import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';

delete process.env.ACCESS_TOKEN_CHECK;

const { useTestDatabase } = await import('../helpers/database');
const { formData, meta, recordingJar, secondsLater, sensitiveRequestWith, signedInUser } = await import('../helpers/fixtures');
const { NextRequest } = await import('next/server');
const { proxy } = await import('../../proxy');
const { readSessionClaims } = await import('../../lib/dal');
const { db } = await import('../../lib/db/client');
const { cookieNames } = await import('../../lib/proxy-safe/cookies');
const { pruneExpiredRecords } = await import('../../lib/db/housekeeping');
const { runSensitiveAction } = await import('../../lib/sensitive-actions/checked-action');
const { NO_COPY, keepTokenCopyDefinition, tryTokenCopyDefinition } = await import('../../lib/sensitive-actions/lab-actions');
const { KEEP_AFTER_EXPIRY_SECONDS, findCopiedToken, findCopyView, sealToken, unsealToken } = await import('../../lib/lab/token-copy');
const { keepLabCopy } = await import('../helpers/lab-copy');
const { probeCopy } = await import('../../lib/lab/copy-probes');
const { rotateRefreshToken } = await import('../../lib/session/rotate-refresh-token');

useTestDatabase();

const SAME_ORIGIN = new Headers({ origin: 'http://localhost:3000', host: 'localhost:3000' });

type Victim = Awaited<ReturnType<typeof signedInUser>>;

/** Signs `victim` in, then makes the lab copy at `now`: what the "Sign out and keep a copy" button does. */
async function withCopy(now = new Date()) {
  const victim = await signedInUser(now);
  const { jar, set } = recordingJar();
  const kept = await keepLabCopy(victim, now, jar);
  assert.ok(kept, 'the copy was made');
  return { victim, newSessionId: kept.sessionId, cookiesSet: set, owner: { userId: victim.user.id, sessionId: kept.sessionId, email: victim.user.email } };
}

/**
 * A read with `token` through the same code the real request runs (the proxy, then the data access
 * layer as GET /api/me calls it), answering its HTTP status. The real page sends it over loopback.
 */
const readLikeApiMe = (now?: Date) => async (token: string) => {
  const cookie = `${cookieNames().access}=${token}`;
  if (!now) {
    const gate = await proxy(new NextRequest('http://localhost:3000/api/me', { headers: { host: 'localhost:3000', cookie } }));
    if (gate.headers.get('x-middleware-next') !== '1') return gate.status;
  }
  const jar = { get: (name: string) => (name === cookieNames().access ? { value: token } : undefined), has: () => false };
  return (await readSessionClaims(jar, now)) ? 200 : 401;
};

async function accountState(victim: Victim) {
  const user = await db().user.findUniqueOrThrow({ where: { id: victim.user.id } });
  const payments = await db().payment.count({ where: { OR: [{ senderId: user.id }, { recipientId: user.id }] } });
  return { balanceCents: user.balanceCents, passwordHash: user.passwordHash, payments };
}

describe('making the copy (the lab button)', () => {
  test('signs the session out, continues in a new session without step-up credit, and records one event', async () => {
    const signedInAt = new Date(Date.now() - 60_000);
    const { victim, newSessionId, cookiesSet } = await withCopy(signedInAt);

    const old = await db().session.findUniqueOrThrow({ where: { id: victim.session.id } });
    assert.equal(old.revokedReason, 'lab_token_copied');
    const fresh = await db().session.findUniqueOrThrow({ where: { id: newSessionId } });
    assert.equal(fresh.revokedAt, null);
    assert.equal(fresh.authenticatedAt.getTime(), old.authenticatedAt.getTime(), 'no password was typed: no step-up credit');
    assert.ok(cookiesSet.get(cookieNames().access)?.value, 'the browser gets the new session’s access token');
    assert.notEqual(cookiesSet.get(cookieNames().access)?.value, victim.accessToken);
    assert.ok(cookiesSet.get(cookieNames().refresh)?.value);

    const events = await db().securityEvent.findMany({ where: { userId: victim.user.id } });
    assert.deepEqual(events.map((e) => [e.type, e.sessionId]), [['lab_token_copied', victim.session.id]]);
  });

  test('a renewal still on its way with the signed-out session’s refresh token is withdrawn, so it leaves the new cookies alone', async () => {
    // Found in a real browser: link prefetches renewing with the old refresh cookie raced the lab's
    // response and, refused as "revoked", cleared the new session's cookies.
    const { victim } = await withCopy();
    assert.deepEqual(await rotateRefreshToken(victim.refreshToken, meta, new Date()), { status: 'rejected', reason: 'withdrawn' });
  });

  test('bounded: at most 10 copies per user in 15 minutes, then refused with nothing written', async () => {
    const victim = await signedInUser();
    let token = victim.accessToken;
    // No server is listening in this test, so each copy's read reports that it could not be sent.
    const quiet = mock.method(console, 'error', () => {});
    try {
      for (let i = 0; i < 10; i++) {
        const { request, cookiesSet } = sensitiveRequestWith(token, new Date());
        assert.equal((await runSensitiveAction(keepTokenCopyDefinition, request, formData({}))).status, 'success', `copy ${i + 1}`);
        token = cookiesSet.get(cookieNames().access)!.value; // the person continues in the new session
      }
      const sessionsBefore = await db().session.count({ where: { userId: victim.user.id } });
      const { request, cookiesSet } = sensitiveRequestWith(token, new Date());
      const refused = await runSensitiveAction(keepTokenCopyDefinition, request, formData({}));
      assert.equal(refused.status === 'error' && refused.code, 'throttled');
      assert.equal(cookiesSet.size, 0);
      assert.equal(await db().session.count({ where: { userId: victim.user.id } }), sessionsBefore, 'no session written');
      assert.equal(await db().securityEvent.count({ where: { userId: victim.user.id, type: 'lab_token_copied' } }), 10);
    } finally {
      quiet.mock.restore();
    }
  });

  test('the copy is sealed at rest: the row holds neither the token nor its signature', async () => {
    const { victim } = await withCopy();
    const row = await db().labTokenCopy.findUniqueOrThrow({ where: { userId: victim.user.id } });
    const signature = victim.accessToken.split('.')[2];
    assert.ok(!JSON.stringify(row).includes(victim.accessToken));
    assert.ok(!JSON.stringify(row).includes(signature));
    assert.equal(unsealToken(row.sealedToken, victim.user.id), victim.accessToken);
    assert.equal(unsealToken(row.sealedToken, 'another-user'), null, 'bound to its user');
    const tampered = sealToken(victim.accessToken, victim.user.id).slice(0, -2) + 'AA';
    assert.equal(unsealToken(tampered, victim.user.id), null);
  });

  test('a session that has ended cannot make a copy', async () => {
    const { victim } = await withCopy();
    const again = await keepLabCopy(victim);
    assert.equal(again, null);
  });
});

describe('what the copy can do (stateless mode)', () => {
  test('before it expires: the read succeeds, the payment and the password change are refused, and nothing changes', async () => {
    const { victim, owner } = await withCopy();
    const before = await accountState(victim);

    const probes = await probeCopy(owner, { headers: SAME_ORIGIN, now: new Date() }, readLikeApiMe());
    assert.ok(probes);
    assert.equal(probes.mode, 'stateless');
    assert.equal(probes.expired, false);
    assert.deepEqual(
      probes.results.map((r) => [r.probe, r.allowed]),
      [
        ['read', true],
        ['payment', false],
        ['password_change', false],
      ],
    );
    assert.match(probes.results[1].summary, /session row is revoked/);
    assert.match(probes.results[2].summary, /session row is revoked/);
    assert.deepEqual(await accountState(victim), before, 'no payment, same balance, same password');
  });

  test('after it expires: the read fails too', async () => {
    const { owner } = await withCopy();
    const afterExpiry = secondsLater(new Date(), 301);
    const probes = await probeCopy(owner, { headers: SAME_ORIGIN, now: afterExpiry }, readLikeApiMe(afterExpiry));
    assert.ok(probes);
    assert.equal(probes.expired, true);
    assert.deepEqual(probes.results.map((r) => r.allowed), [false, false, false]);
    assert.match(probes.results[0].summary, /401: the token has expired/);
  });
});

describe('only its owner can see or use the copy', () => {
  test('another user, or the same user in another session, finds no copy; the owner does', async () => {
    const { victim, owner } = await withCopy();
    const stranger = await signedInUser();
    const sameUserOtherSession = { userId: victim.user.id, sessionId: victim.session.id };

    for (const [who, probeAs] of [
      ['another user', { userId: stranger.user.id, sessionId: stranger.session.id }],
      ['another user naming the owner’s session', { userId: stranger.user.id, sessionId: owner.sessionId }],
      ['the owner in the signed-out session', sameUserOtherSession],
    ] as const) {
      assert.equal(await findCopyView(probeAs), null, who);
      assert.equal(await findCopiedToken(probeAs), null, who);
      assert.equal(await probeCopy({ ...probeAs, email: victim.user.email }, { headers: SAME_ORIGIN, now: new Date() }, readLikeApiMe()), null, who);
    }
    assert.ok(await findCopyView(owner));
  });

  test('through the checked path: another user’s "Use the copy" finds nothing to try, and a user with no copy neither', async () => {
    await withCopy();
    const stranger = await signedInUser();
    const { request } = sensitiveRequestWith(stranger.accessToken, new Date());
    assert.deepEqual(await runSensitiveAction(tryTokenCopyDefinition, request, formData({})), {
      status: 'error',
      code: 'refused',
      message: NO_COPY,
    });
  });
});

describe('the copy never reaches the browser', () => {
  test('what the page renders of it (LabCopyView) holds no token and no signature, only the decoded header and claims', async () => {
    const { victim, owner } = await withCopy();
    const view = await findCopyView(owner);
    assert.ok(view);
    const rendered = JSON.stringify(view);
    assert.ok(!rendered.includes(victim.accessToken));
    assert.ok(!rendered.includes(victim.accessToken.split('.')[2]), 'no signature');
    assert.ok(!rendered.includes(victim.accessToken.split('.')[1]), 'not even the encoded claims');
    assert.deepEqual(
      view.header.map((h) => h.name),
      ['alg', 'typ', 'kid'],
    );
    assert.deepEqual(
      Object.fromEntries(view.claims.filter((c) => ['sub', 'sid', 'email'].includes(c.name)).map((c) => [c.name, c.value])),
      { sub: victim.user.id, sid: victim.session.id, email: victim.user.email },
    );
    assert.equal(view.claims.find((c) => c.name === 'exp')?.time, view.expiresAt);
  });
});

describe('housekeeping', () => {
  test('deletes a copy once it is past keepUntil, not before', async () => {
    const { victim } = await withCopy();
    const row = await db().labTokenCopy.findUniqueOrThrow({ where: { userId: victim.user.id } });
    assert.equal(row.keepUntil.getTime(), row.tokenExpiresAt.getTime() + KEEP_AFTER_EXPIRY_SECONDS * 1000);
    await pruneExpiredRecords(new Date(row.keepUntil.getTime() - 1000));
    assert.equal(await db().labTokenCopy.count({ where: { id: row.id } }), 1);
    await pruneExpiredRecords(row.keepUntil);
    assert.equal(await db().labTokenCopy.count({ where: { id: row.id } }), 0);
  });
});
