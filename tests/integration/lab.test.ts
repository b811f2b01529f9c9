/**
 * The /lab page's copied access token (lib/lab/token-copy.ts, lib/lab/copy-probes.ts) in the default
 * stateless mode, on a real SQLite file: making the copy makes a separate demonstration session, keeps
 * its access token sealed and signs it out, and leaves the person's own session exactly as it was; the
 * copy reads until it expires but cannot pay or change the password, and changes nothing; only its
 * owner can see or use it; it is sealed at rest and never part of what the page renders. Above all, a
 * stolen access token pressing the button gains nothing: no cookie, no session. The revocation-list
 * mode's outcome is in tests/integration/revocation-list.test.ts.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/lab.test.ts
 */
import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';

delete process.env.ACCESS_TOKEN_CHECK;

const { createUser, formData, meta, PASSWORD, secondsLater, sensitiveRequestWith, signedInUser } = await import('../helpers/fixtures');
const { NextRequest } = await import('next/server');
const { proxy } = await import('../../proxy');
const { verifySession } = await import('../../lib/dal');
const { db } = await import('../../lib/db/client');
const { cookieNames } = await import('../../lib/tokens/cookies');
const { pruneExpiredRecords } = await import('../../lib/housekeeping');
const { runSensitiveAction } = await import('../../lib/sensitive-actions/checked-action');
const { sendPaymentDefinition } = await import('../../lib/sensitive-actions/send-payment-action');
const { KEPT_COPY, NO_COPY } = await import('../../lib/lab/lab-actions');
const { LAB_KEY_NOT_HERE: NOT_THIS_KEY } = await import('../../lib/forms/messages');
const { BindingClient } = await import('../helpers/binding-client');
const { KEEP_AFTER_EXPIRY_SECONDS, NO_STEP_UP_CREDIT, findCopiedToken, findCopyView, sealToken, unsealToken } = await import('../../lib/lab/token-copy');
const { keepTokenCopyDefinition, makeLabCopy, tryTokenCopyDefinition } = await import('../helpers/lab-copy');
const { probeCopy } = await import('../../lib/lab/copy-probes');
const { rotateRefreshToken } = await import('../../lib/session/rotate-refresh-token');
const { createSession, liveAt } = await import('../../lib/session/session-store');
const { signAccessToken } = await import('../../lib/tokens/access-token');

useTestDatabase();

const SAME_ORIGIN = new Headers({ origin: 'http://localhost:3000', host: 'localhost:3000' });

type Victim = Awaited<ReturnType<typeof signedInUser>>;

/** Signs `person` in, then makes the lab copy at `now`, as the button does, from their session. */
async function withCopy(now = new Date()) {
  const person = await signedInUser(now);
  const { demoSessionId } = await makeLabCopy(person, now);
  return { person, demoSessionId, owner: { userId: person.user.id, sessionId: person.session.id, email: person.user.email } };
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
  return (await verifySession({ cookies: jar, now })) ? 200 : 401;
};

async function accountState(victim: Victim) {
  const user = await db().user.findUniqueOrThrow({ where: { id: victim.user.id } });
  const payments = await db().payment.count({ where: { OR: [{ senderId: user.id }, { recipientId: user.id }] } });
  return { balanceCents: user.balanceCents, passwordHash: user.passwordHash, payments };
}

/** Refresh tokens of the user's live sessions that could still be exchanged: what a session is made of. */
async function usableRefreshTokens(userId: string, now = new Date()) {
  return db().refreshToken.findMany({
    where: { rotatedAt: null, revokedAt: null, session: { userId, ...liveAt(now) } },
    select: { sessionId: true },
  });
}

/** The lab's own read goes over loopback; no server listens in these tests, so it is logged as unsent. */
function quietUnsentRead() {
  return mock.method(console, 'error', () => undefined);
}

describe('a stolen access token alone cannot become a session through the lab', () => {
  test('a stolen access token alone cannot become a session through the lab', async () => {
    // The victim has just signed in: their session holds step-up credit a thief would love to inherit.
    const signedInAt = new Date(Date.now() - 10_000);
    const victim = await signedInUser(signedInAt);
    const before = await db().session.findUniqueOrThrow({ where: { id: victim.session.id } });
    const recipient = await createUser({ balanceCents: 0 });

    // The thief holds a copy of the access cookie and nothing else, and presses "Make a copy and try it".
    const quiet = quietUnsentRead();
    const { request, cookiesSet } = sensitiveRequestWith(victim.accessToken, new Date());
    const pressed = await runSensitiveAction(keepTokenCopyDefinition, request, formData({}));
    quiet.mock.restore();
    assert.equal(pressed.status, 'success', JSON.stringify(pressed));

    // Nothing to take away: no access, refresh or hint cookie, and no new live session or usable refresh token.
    assert.deepEqual([...cookiesSet.keys()], [], 'no cookie at all');
    assert.deepEqual(await usableRefreshTokens(victim.user.id), [{ sessionId: victim.session.id }], 'only the victim’s own');
    assert.equal(await db().session.count({ where: { userId: victim.user.id, ...liveAt(new Date()) } }), 1);

    // The victim's session goes on untouched: same row, same step-up credit, still renews, still pays.
    assert.deepEqual(await db().session.findUniqueOrThrow({ where: { id: victim.session.id } }), before);
    const renewed = await rotateRefreshToken(victim.refreshToken, meta, new Date());
    assert.equal(renewed.status, 'rotated');
    assert.equal(renewed.status === 'rotated' && renewed.sessionId, victim.session.id);
    // An unbound session (signed in over the API) pays with its password typed along (UNBOUND_SESSION_POLICY).
    const paid = await runSensitiveAction(
      sendPaymentDefinition,
      sensitiveRequestWith(victim.accessToken, new Date()).request,
      formData({ recipient: recipient.email, amount: '1.00', idempotencyKey: crypto.randomUUID(), password: PASSWORD }),
    );
    assert.equal(paid.status, 'success', JSON.stringify(paid));

    // Once the stolen token expires, the thief has nothing that renews or acts.
    const afterExpiry = secondsLater(new Date(), 301);
    const late = await runSensitiveAction(keepTokenCopyDefinition, sensitiveRequestWith(victim.accessToken, afterExpiry).request, formData({}));
    assert.equal(late.status === 'error' && late.code, 'session_expired');
  });
});

describe('making the copy (the lab button)', () => {
  test('makes a separate demonstration session, signed out at once, with no step-up credit and no usable refresh token; one event on /activity', async () => {
    const { person, demoSessionId } = await withCopy();

    const demo = await db().session.findUniqueOrThrow({ where: { id: demoSessionId }, include: { refreshTokens: true } });
    assert.notEqual(demoSessionId, person.session.id);
    assert.equal(demo.userId, person.user.id);
    assert.ok(demo.revokedAt, 'signed out');
    assert.equal(demo.revokedReason, 'logout');
    assert.equal(demo.authenticatedAt.getTime(), NO_STEP_UP_CREDIT.getTime(), 'no password was ever typed in it');
    assert.ok(demo.refreshTokens.every((token) => token.revokedAt), 'its refresh token, never sent anywhere, is withdrawn');

    const own = await db().session.findUniqueOrThrow({ where: { id: person.session.id } });
    assert.equal(own.revokedAt, null, 'the person’s own session is not ended');

    const events = await db().securityEvent.findMany({ where: { userId: person.user.id } });
    assert.deepEqual(events.map((e) => [e.type, e.sessionId]), [['lab_demo_copied', person.session.id]]);
    assert.match(events[0].detail ?? '', new RegExp(`demonstration session ${demoSessionId}`));
  });

  test('through the checked path: the answer says what happened, sets no cookie, and the copy is owned by the pressing session', async () => {
    const person = await signedInUser();
    const quiet = quietUnsentRead();
    const { request, cookiesSet } = sensitiveRequestWith(person.accessToken, new Date());
    const result = await runSensitiveAction(keepTokenCopyDefinition, request, formData({}));
    quiet.mock.restore();
    assert.equal(result.status === 'success' && result.message, KEPT_COPY);
    assert.equal(cookiesSet.size, 0);
    const view = await findCopyView({ userId: person.user.id, sessionId: person.session.id });
    assert.ok(view, 'the pressing session sees its copy');
    assert.notEqual(view.copiedSessionId, person.session.id);
  });

  test('bounded: at most 10 copies per user in 15 minutes, then refused with nothing written', async () => {
    const person = await signedInUser();
    const quiet = quietUnsentRead();
    try {
      for (let i = 0; i < 10; i++) {
        const { request } = sensitiveRequestWith(person.accessToken, new Date());
        assert.equal((await runSensitiveAction(keepTokenCopyDefinition, request, formData({}))).status, 'success', `copy ${i + 1}`);
      }
      const sessionsBefore = await db().session.count({ where: { userId: person.user.id } });
      const { request, cookiesSet } = sensitiveRequestWith(person.accessToken, new Date());
      const refused = await runSensitiveAction(keepTokenCopyDefinition, request, formData({}));
      assert.equal(refused.status === 'error' && refused.code, 'throttled');
      assert.equal(cookiesSet.size, 0);
      assert.equal(await db().session.count({ where: { userId: person.user.id } }), sessionsBefore, 'no session written');
      assert.equal(await db().securityEvent.count({ where: { userId: person.user.id, type: 'lab_demo_copied' } }), 10);
    } finally {
      quiet.mock.restore();
    }
  });

  test('the copy is sealed at rest: the row holds neither the token nor its signature', async () => {
    const { person, owner } = await withCopy();
    const copied = await findCopiedToken(owner);
    assert.ok(copied);
    const row = await db().labTokenCopy.findUniqueOrThrow({ where: { userId: person.user.id } });
    const signature = copied.token.split('.')[2];
    assert.ok(!JSON.stringify(row).includes(copied.token));
    assert.ok(!JSON.stringify(row).includes(signature));
    assert.equal(unsealToken(row.sealedToken, person.user.id), copied.token);
    assert.equal(unsealToken(row.sealedToken, 'another-user'), null, 'bound to its user');
    const tampered = sealToken(copied.token, person.user.id).slice(0, -2) + 'AA';
    assert.equal(unsealToken(tampered, person.user.id), null);
  });

  test('in a session bound to its page key, a copied access token alone cannot press it: no copy, no event, no cookie', async () => {
    const person = await signedInUser(new Date(), { bound: true });
    const quiet = quietUnsentRead();
    try {
      for (const form of [formData({}), await (await BindingClient.generate()).keyProof({ method: 'POST', url: 'http://localhost:3000/action' }).then((keyProof) => formData({ keyProof }))]) {
        const { request, cookiesSet } = sensitiveRequestWith(person.accessToken, new Date());
        assert.deepEqual(await runSensitiveAction(keepTokenCopyDefinition, request, form), { status: 'error', code: 'refused', message: NOT_THIS_KEY });
        assert.equal(cookiesSet.size, 0);
      }
      assert.equal(await db().session.count({ where: { userId: person.user.id } }), 1, 'no demonstration session');
      assert.equal(await db().securityEvent.count({ where: { userId: person.user.id } }), 0, 'nothing on the owner’s /activity');
      // The owner's page, with its key, makes one as before.
      const { request } = sensitiveRequestWith(person.accessToken, new Date());
      assert.equal((await runSensitiveAction(keepTokenCopyDefinition, request, await person.actionForm({}, new Date()))).status, 'success');
    } finally {
      quiet.mock.restore();
    }
  });

  test('a session that has ended cannot make a copy', async () => {
    const person = await signedInUser();
    await db().session.update({ where: { id: person.session.id }, data: { revokedAt: new Date(), revokedReason: 'logout' } });
    const { request, cookiesSet } = sensitiveRequestWith(person.accessToken, new Date());
    const result = await runSensitiveAction(keepTokenCopyDefinition, request, formData({}));
    assert.equal(result.status === 'error' && result.code, 'session_ended');
    assert.equal(cookiesSet.size, 0);
    assert.equal(await db().labTokenCopy.count({ where: { userId: person.user.id } }), 0);
  });
});

describe('what the copy can do (stateless mode)', () => {
  test('before it expires: the read succeeds, the payment and the password change are refused, and nothing changes', async () => {
    const { person: victim, owner } = await withCopy();
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
    const { person: victim, owner, demoSessionId } = await withCopy();
    const stranger = await signedInUser();
    const sameUserOtherSession = { userId: victim.user.id, sessionId: (await createSession(victim.user.id, meta)).session.id };

    for (const [who, probeAs] of [
      ['another user', { userId: stranger.user.id, sessionId: stranger.session.id }],
      ['another user naming the owner’s session', { userId: stranger.user.id, sessionId: owner.sessionId }],
      ['the owner in another of their sessions', sameUserOtherSession],
      ['the owner naming the demonstration session', { userId: victim.user.id, sessionId: demoSessionId }],
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
    const { person: victim, owner, demoSessionId } = await withCopy();
    const view = await findCopyView(owner);
    const copied = await findCopiedToken(owner);
    assert.ok(view && copied);
    const rendered = JSON.stringify(view);
    for (const token of [copied.token, victim.accessToken]) {
      assert.ok(!rendered.includes(token));
      assert.ok(!rendered.includes(token.split('.')[2]), 'no signature');
      assert.ok(!rendered.includes(token.split('.')[1]), 'not even the encoded claims');
    }
    assert.deepEqual(
      view.header.map((h) => h.name),
      ['alg', 'typ', 'kid'],
    );
    assert.deepEqual(
      Object.fromEntries(view.claims.filter((c) => ['sub', 'sid', 'email'].includes(c.name)).map((c) => [c.name, c.value])),
      { sub: victim.user.id, sid: demoSessionId, email: victim.user.email },
      'a token of the person’s account, for the demonstration session',
    );
    assert.equal(view.copiedSessionId, demoSessionId);
    assert.equal(view.claims.find((c) => c.name === 'exp')?.time, view.expiresAt);
  });
});

describe('housekeeping', () => {
  test('deletes a copy once it is past keepUntil, not before', async () => {
    const { person: victim } = await withCopy();
    const row = await db().labTokenCopy.findUniqueOrThrow({ where: { userId: victim.user.id } });
    assert.equal(row.keepUntil.getTime(), row.tokenExpiresAt.getTime() + KEEP_AFTER_EXPIRY_SECONDS * 1000);
    await pruneExpiredRecords(new Date(row.keepUntil.getTime() - 1000));
    assert.equal(await db().labTokenCopy.count({ where: { id: row.id } }), 1);
    await pruneExpiredRecords(row.keepUntil);
    assert.equal(await db().labTokenCopy.count({ where: { id: row.id } }), 0);
  });
});
