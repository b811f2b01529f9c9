import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { useTestDatabase } from '../helpers/database';
import { formData, recordingJar, secondsLater, sensitiveRequestWith, signedInUser } from '../helpers/fixtures';
import { betweenReadAndWrite } from '../helpers/interleave';
import { db } from '../../lib/db/client';
import { SESSION_ENDED, UNEXPECTED_ERROR } from '../../lib/forms/messages';
import { defineSensitiveAction, runSensitiveAction, type SensitiveRequest } from '../../lib/sensitive-actions/checked-action';
import { revokeSession } from '../../lib/session/session-store';
import { signOut } from '../../lib/auth/sign-out';
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  ACCESS_TOKEN_TYPE,
  signAccessToken,
} from '../../lib/tokens/access-token';

useTestDatabase();

const MARKER = 'test_handler_ran';
const SAME_ORIGIN = { origin: 'http://localhost:3000', host: 'localhost:3000' };

/**
 * A tiny sensitive action: records each run in memory and writes one row, so a refusal can be shown to
 * have changed nothing at all.
 */
function probe(options: { requireRecentAuthentication?: boolean } = {}) {
  const runs: string[] = [];
  const definition = defineSensitiveAction({
    schema: z.object({ note: z.string().min(1, { error: 'Write a note.' }) }),
    requireRecentAuthentication: options.requireRecentAuthentication,
    async handler(input, { user }) {
      runs.push(input.note);
      await db().securityEvent.create({ data: { type: MARKER, userId: user.id, detail: input.note } });
      return { status: 'success', message: 'Done' };
    },
  });
  return { definition, runs };
}

function request(
  accessToken: string | undefined,
  now: Date,
  overrides: { headers?: Record<string, string>; mayRenew?: boolean } = {},
): SensitiveRequest {
  return {
    headers: new Headers(overrides.headers ?? SAME_ORIGIN),
    accessToken,
    mayRenew: overrides.mayRenew ?? false,
    cookies: recordingJar().jar,
    now,
  };
}

const VALID_FIELDS = { note: 'hello' };
const VALID = () => formData(VALID_FIELDS);

async function markerRows(userId: string): Promise<number> {
  return db().securityEvent.count({ where: { userId, type: MARKER } });
}

/** Asserts the handler neither ran nor wrote anything. */
async function assertNothingRan(runs: string[], userId: string) {
  assert.deepEqual(runs, [], 'the handler must not run');
  assert.equal(await markerRows(userId), 0, 'nothing may be written');
}

const ENDED = { status: 'error', code: 'session_ended', message: SESSION_ENDED } as const;

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('runSensitiveAction: the happy path', () => {
  test('a same-origin request with a live token and session runs the handler once', async () => {
    const now = new Date();
    const { user, accessToken } = await signedInUser(now);
    const { definition, runs } = probe();
    const result = await runSensitiveAction(definition, request(accessToken, now), VALID());
    assert.deepEqual(result, { status: 'success', message: 'Done' });
    assert.deepEqual(runs, ['hello']);
    assert.equal(await markerRows(user.id), 1);
  });
});

describe('runSensitiveAction: Origin check (ASVS 3.5.3)', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['another site', { origin: 'https://evil.example', host: 'localhost:3000' }],
    ['a look-alike host', { origin: 'http://localhost:3000.evil.example', host: 'localhost:3000' }],
    ['another port', { origin: 'http://localhost:3001', host: 'localhost:3000' }],
    ['Origin: null (GHSA-mq59-m269-xvcx)', { origin: 'null', host: 'localhost:3000' }],
    ['no Origin header at all', { host: 'localhost:3000' }],
    ['a malformed Origin', { origin: 'not a url', host: 'localhost:3000' }],
  ];
  for (const [name, headers] of cases) {
    test(`${name} -> cross_origin, even with a valid token and form`, async () => {
      const now = new Date();
      const { user, accessToken } = await signedInUser(now);
      const { definition, runs } = probe();
      const result = await runSensitiveAction(definition, request(accessToken, now, { headers }), VALID());
      assert.equal(result.status, 'error');
      assert.equal(result.status === 'error' && result.code, 'cross_origin');
      await assertNothingRan(runs, user.id);
    });
  }

  test('the Origin is checked before the token: cross-site with no token is cross_origin', async () => {
    const { definition, runs } = probe();
    const result = await runSensitiveAction(
      definition,
      request(undefined, new Date(), { headers: { origin: 'https://evil.example', host: 'localhost:3000' } }),
      VALID(),
    );
    assert.equal(result.status === 'error' && result.code, 'cross_origin');
    assert.deepEqual(runs, []);
  });
});

describe('runSensitiveAction: access token (ASVS 7.2.1, 9.1.1)', () => {
  test('no token -> session_ended', async () => {
    const { definition, runs } = probe();
    const result = await runSensitiveAction(definition, request(undefined, new Date()), VALID());
    assert.deepEqual(result, ENDED);
    assert.deepEqual(runs, []);
  });

  test('no token but the session-hint cookie -> session_expired (the client renews and retries)', async () => {
    const { definition, runs } = probe();
    const result = await runSensitiveAction(definition, request(undefined, new Date(), { mayRenew: true }), VALID());
    assert.equal(result.status === 'error' && result.code, 'session_expired');
    assert.deepEqual(runs, []);
  });

  test('an expired but genuine token for a live session -> session_expired', async () => {
    const now = new Date();
    const { user, session } = await signedInUser(secondsLater(now, -400));
    // Sign-in 400 s ago, TTL 300 s: the token is past `exp`, the session row is still active.
    const stale = await signAccessToken({ userId: user.id, email: user.email, sessionId: session.id }, secondsLater(now, -400));
    const { definition, runs } = probe();
    const result = await runSensitiveAction(definition, request(stale.token, now), VALID());
    assert.equal(result.status === 'error' && result.code, 'session_expired');
    await assertNothingRan(runs, user.id);
  });

  test('garbage instead of a token -> session_ended, even with the hint cookie', async () => {
    const { definition, runs } = probe();
    const result = await runSensitiveAction(definition, request('not.a.jwt', new Date(), { mayRenew: true }), VALID());
    assert.deepEqual(result, ENDED);
    assert.deepEqual(runs, []);
  });

  test('a token signed with another secret under the real kid -> session_ended (ASVS 9.1.1)', async () => {
    const now = new Date();
    const { user, session } = await signedInUser(now);
    const attackerKey = new Uint8Array(randomBytes(32));
    const forged = await new SignJWT({ sid: session.id, email: user.email })
      .setProtectedHeader({ alg: 'HS256', typ: ACCESS_TOKEN_TYPE, kid: 'test-current' })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(user.id)
      .setJti(crypto.randomUUID())
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(now.getTime() / 1000) + 300)
      .sign(attackerKey);
    const { definition, runs } = probe();
    const result = await runSensitiveAction(definition, request(forged, now, { mayRenew: true }), VALID());
    assert.deepEqual(result, ENDED);
    await assertNothingRan(runs, user.id);
  });

  test('a token with an unknown kid -> session_ended', async () => {
    const now = new Date();
    const { user, session } = await signedInUser(now);
    const forged = await new SignJWT({ sid: session.id, email: user.email })
      .setProtectedHeader({ alg: 'HS256', typ: ACCESS_TOKEN_TYPE, kid: 'attacker' })
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(user.id)
      .setJti(crypto.randomUUID())
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(now.getTime() / 1000) + 300)
      .sign(new Uint8Array(randomBytes(32)));
    const { definition, runs } = probe();
    assert.deepEqual(await runSensitiveAction(definition, request(forged, now), VALID()), ENDED);
    await assertNothingRan(runs, user.id);
  });

  test('an unsigned alg:none token -> session_ended (ASVS 9.1.2)', async () => {
    const now = new Date();
    const { user, session } = await signedInUser(now);
    const iat = Math.floor(now.getTime() / 1000);
    const unsigned = [
      base64url({ alg: 'none', typ: ACCESS_TOKEN_TYPE, kid: 'test-current' }),
      base64url({
        sub: user.id, sid: session.id, email: user.email, jti: crypto.randomUUID(), iat, exp: iat + 300,
        iss: ACCESS_TOKEN_ISSUER, aud: ACCESS_TOKEN_AUDIENCE,
      }),
      '',
    ].join('.');
    const { definition, runs } = probe();
    assert.deepEqual(await runSensitiveAction(definition, request(unsigned, now), VALID()), ENDED);
    await assertNothingRan(runs, user.id);
  });

  test("a genuine token whose payload was edited to another user's session -> session_ended", async () => {
    const now = new Date();
    const attacker = await signedInUser(now);
    const victim = await signedInUser(now);
    const [header, payload, signature] = attacker.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const edited = [header, base64url({ ...claims, sub: victim.user.id, sid: victim.session.id, email: victim.user.email }), signature].join('.');
    const { definition, runs } = probe();
    assert.deepEqual(await runSensitiveAction(definition, request(edited, now), VALID()), ENDED);
    await assertNothingRan(runs, victim.user.id);
    await assertNothingRan(runs, attacker.user.id);
  });
});

describe('runSensitiveAction: the session row is re-read (ASVS 7.4.1, 7.3.1, 7.3.2)', () => {
  test('after logout, the still-valid access token cannot act: session_ended with the sign-in-again message', async () => {
    const now = new Date();
    const { user, accessToken, refreshToken } = await signedInUser(now);
    const { definition, runs } = probe();
    // The copied access token works before logout...
    assert.equal((await runSensitiveAction(definition, request(accessToken, now), VALID())).status, 'success');
    await signOut({ refreshToken }, { ipAddress: null, userAgent: null }, secondsLater(now, 1));
    // ...and not a second later, although its `exp` is still 299 s away.
    const after = await runSensitiveAction(definition, request(accessToken, secondsLater(now, 2)), VALID());
    assert.deepEqual(after, { status: 'error', code: 'session_ended', message: 'Your session has ended. Sign in again.' });
    assert.deepEqual(runs, ['hello'], 'only the run before logout happened');
    assert.equal(await markerRows(user.id), 1);
  });

  test('a session revoked for any reason refuses even with the hint cookie (no renewal offered)', async () => {
    const now = new Date();
    const { user, session, accessToken } = await signedInUser(now);
    await revokeSession(session.id, 'refresh_token_reuse', now);
    const { definition, runs } = probe();
    assert.deepEqual(await runSensitiveAction(definition, request(accessToken, now, { mayRenew: true }), VALID()), ENDED);
    await assertNothingRan(runs, user.id);
  });

  test('an idle-expired session (no activity for SESSION_IDLE_TIMEOUT_SECONDS) -> session_ended', async () => {
    const now = new Date();
    const { user, session, accessToken } = await signedInUser(now);
    await db().session.update({ where: { id: session.id }, data: { lastActiveAt: secondsLater(now, -3_600) } });
    const { definition, runs } = probe();
    assert.deepEqual(await runSensitiveAction(definition, request(accessToken, now), VALID()), ENDED);
    await assertNothingRan(runs, user.id);
  });

  test('idle-expired when read, but renewed by a sibling before the timeout is written: renew and retry, not session_ended', async () => {
    const now = new Date();
    const { user, session, accessToken } = await signedInUser(now);
    await db().session.update({ where: { id: session.id }, data: { lastActiveAt: secondsLater(now, -3_600) } });
    const { definition, runs } = probe();
    const { request: sent, cookiesSet } = sensitiveRequestWith(accessToken, now);
    // Another tab's renewal, which arrived a moment before the deadline, lands between this action's
    // read of the session and its write of the timeout.
    const result = await betweenReadAndWrite(
      () => db().session.update({ where: { id: session.id }, data: { lastActiveAt: now } }),
      () => runSensitiveAction(definition, sent, VALID()),
    );
    assert.deepEqual(result, { status: 'error', code: 'session_expired', message: 'Your sign-in needs renewing.' });
    assert.equal(cookiesSet.size, 0, 'no signed-out notice for a live session');
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt, null);
    await assertNothingRan(runs, user.id);
  });

  test('an absolute-expired session (past expiresAt, however active) -> session_ended', async () => {
    const now = new Date();
    const { user, session, accessToken } = await signedInUser(now);
    await db().session.update({ where: { id: session.id }, data: { expiresAt: now } });
    const { definition, runs } = probe();
    assert.deepEqual(await runSensitiveAction(definition, request(accessToken, now), VALID()), ENDED);
    await assertNothingRan(runs, user.id);
  });

  test("a validly signed token whose sid is another user's session -> session_ended", async () => {
    const now = new Date();
    const attacker = await signedInUser(now);
    const victim = await signedInUser(now);
    const mixed = await signAccessToken(
      { userId: attacker.user.id, email: attacker.user.email, sessionId: victim.session.id },
      now,
    );
    const { definition, runs } = probe();
    assert.deepEqual(await runSensitiveAction(definition, request(mixed.token, now), VALID()), ENDED);
    await assertNothingRan(runs, attacker.user.id);
    await assertNothingRan(runs, victim.user.id);
  });

  test('a validly signed token for a session that does not exist -> session_ended', async () => {
    const now = new Date();
    const { user } = await signedInUser(now);
    const orphan = await signAccessToken({ userId: user.id, email: user.email, sessionId: crypto.randomUUID() }, now);
    const { definition, runs } = probe();
    assert.deepEqual(await runSensitiveAction(definition, request(orphan.token, now), VALID()), ENDED);
    await assertNothingRan(runs, user.id);
  });
});

// The REAUTH_MAX_AGE_SECONDS window, which a bound session keeps (the sign-in form binds). An unbound
// session types the password with the action instead: tests/integration/binding-policy.test.ts.
describe('runSensitiveAction: recent authentication (ASVS 7.5.3)', () => {
  test('authenticatedAt older than REAUTH_MAX_AGE_SECONDS (600) -> reauth_required', async () => {
    const now = new Date();
    const { user, session, accessToken, actionForm } = await signedInUser(now, { bound: true });
    await db().session.update({ where: { id: session.id }, data: { authenticatedAt: secondsLater(now, -601) } });
    const { definition, runs } = probe({ requireRecentAuthentication: true });
    const result = await runSensitiveAction(definition, request(accessToken, now), await actionForm(VALID_FIELDS, now));
    assert.equal(result.status === 'error' && result.code, 'reauth_required');
    await assertNothingRan(runs, user.id);
  });

  test('a password entry exactly 600 s ago is still recent enough: the handler runs', async () => {
    const now = new Date();
    const { user, session, accessToken, actionForm } = await signedInUser(now, { bound: true });
    await db().session.update({ where: { id: session.id }, data: { authenticatedAt: secondsLater(now, -600) } });
    const { definition, runs } = probe({ requireRecentAuthentication: true });
    assert.deepEqual(await runSensitiveAction(definition, request(accessToken, now), await actionForm(VALID_FIELDS, now)), { status: 'success', message: 'Done' });
    assert.deepEqual(runs, ['hello']);
    assert.equal(await markerRows(user.id), 1);
  });

  test('freshness runs from the last password entry, not from sign-in (better-auth #7472)', async () => {
    const now = new Date();
    const { user, session, accessToken, actionForm } = await signedInUser(now, { bound: true });
    // Signed in 5 hours ago and active since, but the password was typed 2 minutes ago.
    await db().session.update({
      where: { id: session.id },
      data: { createdAt: secondsLater(now, -18_000), authenticatedAt: secondsLater(now, -120) },
    });
    const { definition, runs } = probe({ requireRecentAuthentication: true });
    assert.equal((await runSensitiveAction(definition, request(accessToken, now), await actionForm(VALID_FIELDS, now))).status, 'success');
    assert.equal(runs.length, 1);

    // The reverse: a fresh sign-in time does not help when the password entry is old.
    await db().session.update({
      where: { id: session.id },
      data: { createdAt: now, authenticatedAt: secondsLater(now, -601) },
    });
    const stale = await runSensitiveAction(definition, request(accessToken, now), await actionForm(VALID_FIELDS, now));
    assert.equal(stale.status === 'error' && stale.code, 'reauth_required');
    assert.equal(runs.length, 1);
    assert.equal(await markerRows(user.id), 1);
  });

  test('an action without requireRecentAuthentication runs on an old password entry', async () => {
    const now = new Date();
    const { session, accessToken } = await signedInUser(now);
    await db().session.update({ where: { id: session.id }, data: { authenticatedAt: secondsLater(now, -3_000) } });
    const { definition, runs } = probe();
    assert.equal((await runSensitiveAction(definition, request(accessToken, now), VALID())).status, 'success');
    assert.equal(runs.length, 1);
  });
});

describe('runSensitiveAction: input and failures', () => {
  test('an invalid form -> invalid_input with field errors, the handler does not run', async () => {
    const now = new Date();
    const { user, accessToken } = await signedInUser(now);
    const { definition, runs } = probe();
    const result = await runSensitiveAction(definition, request(accessToken, now), formData({ note: '' }));
    assert.equal(result.status, 'error');
    assert.ok(result.status === 'error', 'expected an error result');
    assert.equal(result.code, 'invalid_input');
    assert.deepEqual(result.fieldErrors, { note: ['Write a note.'] });
    await assertNothingRan(runs, user.id);
  });

  test("React's $ACTION_ fields are not passed to the schema", async () => {
    const now = new Date();
    const { accessToken } = await signedInUser(now);
    const runs: unknown[] = [];
    const definition = defineSensitiveAction({
      schema: z.strictObject({ note: z.string() }),
      async handler(input) {
        runs.push(input);
        return { status: 'success', message: 'Done' };
      },
    });
    const data = formData({ note: 'x', $ACTION_ID_abc: '' });
    assert.equal((await runSensitiveAction(definition, request(accessToken, now), data)).status, 'success');
    assert.deepEqual(runs, [{ note: 'x' }]);
  });

  test('a throwing handler -> unexpected, with a generic message that reveals nothing; the error is logged', async (t) => {
    const now = new Date();
    const { accessToken } = await signedInUser(now);
    const logged = t.mock.method(console, 'error', () => {});
    const secret = 'SQLITE_CONSTRAINT at /srv/app/prisma/dev.db: passwordHash=$argon2id$v=19';
    const definition = defineSensitiveAction({
      schema: z.object({ note: z.string() }),
      async handler() {
        throw new Error(secret);
      },
    });
    const result = await runSensitiveAction(definition, request(accessToken, now), VALID());
    assert.deepEqual(result, { status: 'error', code: 'unexpected', message: UNEXPECTED_ERROR });
    assert.ok(result.status === 'error', 'expected an error result');
    for (const fragment of ['SQLITE', '/srv', 'argon2', 'Error', 'at ']) {
      assert.ok(!result.message.includes(fragment), `the message must not contain "${fragment}"`);
    }
    assert.equal(logged.mock.callCount(), 1, 'the failure is logged on the server');
    assert.ok(logged.mock.calls[0].arguments.some((a) => a instanceof Error && a.message === secret), 'the original error is logged on the server');
  });
});

describe('runSensitiveAction: the checks run in the documented order', () => {
  test('a revoked session with invalid input gets session_ended, not field errors', async () => {
    const now = new Date();
    const { user, session, accessToken } = await signedInUser(now);
    await revokeSession(session.id, 'logout', now);
    const { definition, runs } = probe();
    const result = await runSensitiveAction(definition, request(accessToken, now), formData({ note: '' }));
    assert.deepEqual(result, ENDED);
    assert.ok(!('fieldErrors' in result), 'no field errors are revealed');
    await assertNothingRan(runs, user.id);
  });

  test('a missing token with invalid input gets session_ended, not field errors', async () => {
    const { definition, runs } = probe();
    const result = await runSensitiveAction(definition, request(undefined, new Date()), formData({}));
    assert.deepEqual(result, ENDED);
    assert.deepEqual(runs, []);
  });

  test('a cross-origin request for a revoked session with invalid input gets cross_origin', async () => {
    const now = new Date();
    const { session, accessToken } = await signedInUser(now);
    await revokeSession(session.id, 'logout', now);
    const { definition } = probe({ requireRecentAuthentication: true });
    const result = await runSensitiveAction(
      definition,
      request(accessToken, now, { headers: { host: 'localhost:3000' } }),
      formData({ note: '' }),
    );
    assert.equal(result.status === 'error' && result.code, 'cross_origin');
  });

  test('a revoked session with an old password entry gets session_ended, not reauth_required', async () => {
    const now = new Date();
    const { user, session, accessToken } = await signedInUser(now);
    await db().session.update({ where: { id: session.id }, data: { authenticatedAt: secondsLater(now, -601) } });
    await revokeSession(session.id, 'logout', now);
    const { definition, runs } = probe({ requireRecentAuthentication: true });
    assert.deepEqual(await runSensitiveAction(definition, request(accessToken, now), VALID()), ENDED);
    await assertNothingRan(runs, user.id);
  });

  test('step-up comes before input validation: an old password entry with invalid input gets reauth_required', async () => {
    const now = new Date();
    const { user, session, accessToken, actionForm } = await signedInUser(now, { bound: true });
    await db().session.update({ where: { id: session.id }, data: { authenticatedAt: secondsLater(now, -601) } });
    const { definition, runs } = probe({ requireRecentAuthentication: true });
    const result = await runSensitiveAction(definition, request(accessToken, now), await actionForm({ note: '' }, now));
    assert.ok(result.status === 'error', 'expected an error result');
    assert.equal(result.code, 'reauth_required');
    assert.equal(result.fieldErrors, undefined);
    await assertNothingRan(runs, user.id);
  });
});
