/**
 * ASVS v5 chapter 9 (self-contained tokens) and 7.2.1 (tokens verified on a trusted backend): every
 * token attack, as one suite, against every gate a token meets, with no gate in front of another:
 *
 * - the proxy (`proxy.ts`, called with a real NextRequest): a protected page (APIs are outside its
 *   matcher and check for themselves, below);
 * - the stateless tier of the data access layer (`verifySession`, what every page and
 *   `GET /api/me` run);
 * - every sensitive action through the one checked path (`runSensitiveAction` with the real payment,
 *   step-up, password-change, /sessions sign-out and /lab definitions), which must also change nothing
 *   in the database.
 *
 * Pages and `/api/me` on a real `next start`, and the forged `x-middleware-subrequest` header, are in
 * e2e/asvs-9-token-attacks.spec.ts. Every forged token names a real user's live session, so only the
 * check under attack stands between the attacker and that session; the control test shows the same
 * assertions pass for a genuine token.
 */
// database: sqlite-only — forged tokens are refused by the signature and claim checks before any database read
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { base64url, exportJWK, SignJWT } from 'jose';
import { NextRequest } from 'next/server';
import { useTestDatabase } from '../helpers/database';
import { createUser, formData, meta, PASSWORD, sensitiveRequestWith, signedInUser } from '../helpers/fixtures';
import { assertRevoked, REVOCATIONS } from '../helpers/revocations';
import { forgeAccessToken } from '../helpers/forge-token';
import { apiRequest, setCookies } from '../helpers/http';
import { proxy } from '../../proxy';
import { db } from '../../lib/db/client';
import { verifySession, type CookieReader } from '../../lib/dal';
import { signOut } from '../../lib/auth/sign-out';
import { SESSION_ENDED } from '../../lib/forms/messages';
import { ISSUED_AT_CLOCK_SKEW_SECONDS, verifyAccessToken } from '../../lib/tokens/access-token';
import { cookieNames } from '../../lib/tokens/cookies';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { changePasswordDefinition } from '../../lib/sensitive-actions/change-password-action';
import { confirmPasswordDefinition } from '../../lib/sensitive-actions/confirm-password-action';
import { sendPaymentDefinition } from '../../lib/sensitive-actions/send-payment-action';
import { signOutSessionsDefinition } from '../../lib/sensitive-actions/sign-out-sessions-action';
import { NO_COPY } from '../../lib/lab/lab-actions';
import { keepTokenCopyDefinition, tryTokenCopyDefinition } from '../helpers/lab-copy';
import { createSession } from '../../lib/session/session-store';
import { POST as refresh } from '../../app/api/auth/refresh/route';

useTestDatabase();

const names = cookieNames();
/** The app's keys (tests/helpers/integration-setup.ts made them): the first signs, the second still verifies. */
const [signing, previous] = process.env.ACCESS_TOKEN_KEYS!.split(',').map((entry) => {
  const [kid, secret] = entry.split(':');
  return { kid, secret: new Uint8Array(Buffer.from(secret, 'base64url')) };
});
const TTL = Number(process.env.ACCESS_TOKEN_TTL_SECONDS);

type Victim = Awaited<ReturnType<typeof signedInUser>>;
type Attack = { name: string; forge: (victim: Victim, now: Date) => Promise<string>; expired?: true };

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

/** The claims of a token for the victim's live session, every one of them right. */
function victimClaims(victim: Victim, now: Date) {
  return { sub: victim.user.id, sid: victim.session.id, email: victim.user.email, jti: randomUUID() };
}

/** Signed with the app's own signing key: only the tweak under test is wrong. */
const withAppKey = (victim: Victim, now: Date, tweak: { header?: Record<string, unknown>; claims?: Record<string, unknown> }) =>
  forgeAccessToken(signing.secret, { kid: signing.kid, now, header: tweak.header, claims: { ...victimClaims(victim, now), ...tweak.claims } });

const ATTACKS: Attack[] = [
  {
    name: 'alg none: unsigned, every claim right (RFC 8725 3.1, ASVS 9.1.2)',
    forge: async (victim, now) => {
      const token = await withAppKey(victim, now, {});
      const [, payload] = token.split('.');
      return `${encode({ alg: 'none', typ: 'at+jwt', kid: signing.kid })}.${payload}.`;
    },
  },
  {
    name: 'alg none spelled NONE, with the original signature kept',
    forge: async (victim, now) => {
      const [, payload, signature] = (await withAppKey(victim, now, {})).split('.');
      return `${encode({ alg: 'NONE', typ: 'at+jwt', kid: signing.kid })}.${payload}.${signature}`;
    },
  },
  {
    name: 'algorithm confusion: HS512 with the real secret under the real kid (ASVS 9.1.2)',
    forge: (victim, now) => withAppKey(victim, now, { header: { alg: 'HS512' } }),
  },
  {
    name: 'algorithm confusion: RS256 signed by the attacker, its public key embedded as a jwk header',
    forge: async (victim, now) => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return forgeAccessToken(privateKey as never, {
        kid: signing.kid,
        now,
        header: { alg: 'RS256', jwk: await exportJWK(publicKey) },
        claims: victimClaims(victim, now),
      });
    },
  },
  {
    name: 'algorithm confusion: ES256 signed by the attacker under the real kid',
    forge: async (victim, now) => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return forgeAccessToken(privateKey as never, { kid: signing.kid, now, header: { alg: 'ES256' }, claims: victimClaims(victim, now) });
    },
  },
  {
    name: 'signed with an attacker secret under the real kid (ASVS 9.1.1)',
    forge: (victim, now) => forgeAccessToken(randomBytes(32), { kid: signing.kid, now, claims: victimClaims(victim, now) }),
  },
  {
    name: "tampered payload: the attacker's own genuine token with the victim's session pasted in",
    forge: async (victim, now) => {
      const attacker = await signedInUser(now);
      const [header, payload, signature] = attacker.accessToken.split('.');
      const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload)));
      return `${header}.${encode({ ...claims, sub: victim.user.id, sid: victim.session.id, email: victim.user.email })}.${signature}`;
    },
  },
  {
    name: 'tampered payload: the victim\'s own token with exp pushed a year out',
    forge: async (victim) => {
      const [header, payload, signature] = victim.accessToken.split('.');
      const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload)));
      return `${header}.${encode({ ...claims, exp: claims.exp + 365 * 86_400 })}.${signature}`;
    },
  },
  {
    name: 'unknown kid (the real secret, a kid the app never had)',
    forge: (victim, now) => withAppKey(victim, now, { header: { kid: 'attacker' } }),
  },
  {
    name: 'missing kid (the real secret)',
    forge: (victim, now) => withAppKey(victim, now, { header: { kid: undefined } }),
  },
  {
    name: 'kid of one key, signed with the other listed key',
    forge: (victim, now) => forgeAccessToken(previous.secret, { kid: signing.kid, now, claims: victimClaims(victim, now) }),
  },
  {
    name: 'expired: exp one second ago (ASVS 9.2.1)',
    forge: (victim, now) => withAppKey(victim, now, { claims: { iat: seconds(now) - TTL - 1, exp: seconds(now) - 1 } }),
    expired: true,
  },
  {
    name: 'expired by age: iat older than ACCESS_TOKEN_TTL_SECONDS, exp still in the future',
    forge: (victim, now) => withAppKey(victim, now, { claims: { iat: seconds(now) - TTL, exp: seconds(now) + TTL } }),
    expired: true,
  },
  {
    name: 'not yet valid: nbf in the future (ASVS 9.2.1)',
    forge: (victim, now) => withAppKey(victim, now, { claims: { nbf: seconds(now) + 60 } }),
  },
  {
    // A minute past the allowance, not one second: the proxy reads the real clock, which may tick on
    // between forging and checking. The exact boundary is tested with an injected clock below.
    name: 'not yet valid: iat a minute beyond the clock skew allowed between instances',
    forge: (victim, now) =>
      withAppKey(victim, now, {
        claims: { iat: seconds(now) + ISSUED_AT_CLOCK_SKEW_SECONDS + 60, exp: seconds(now) + ISSUED_AT_CLOCK_SKEW_SECONDS + 60 + TTL },
      }),
  },
  {
    name: 'not yet valid: iat a year in the future, exp a year and 5 minutes out',
    forge: (victim, now) => withAppKey(victim, now, { claims: { iat: seconds(now) + 365 * 86_400, exp: seconds(now) + 365 * 86_400 + TTL } }),
  },
  { name: 'wrong iss (RFC 8725 3.8)', forge: (victim, now) => withAppKey(victim, now, { claims: { iss: 'https://accounts.example.com' } }) },
  { name: 'missing iss', forge: (victim, now) => withAppKey(victim, now, { claims: { iss: undefined } }) },
  { name: 'wrong aud (RFC 8725 3.9, ASVS 9.2.3)', forge: (victim, now) => withAppKey(victim, now, { claims: { aud: 'another-app' } }) },
  {
    name: 'aud as a list without this app',
    forge: (victim, now) => withAppKey(victim, now, { claims: { aud: ['another-app', 'nextjs-secure-sessions:api'] } }),
  },
  { name: 'wrong typ: JWT (RFC 8725 3.11, ASVS 9.2.2)', forge: (victim, now) => withAppKey(victim, now, { header: { typ: 'JWT' } }) },
  { name: 'wrong typ: an ID token (RFC 8725 3.12)', forge: (victim, now) => withAppKey(victim, now, { header: { typ: 'id_token+jwt' } }) },
  { name: 'missing typ', forge: (victim, now) => withAppKey(victim, now, { header: { typ: undefined } }) },
  {
    name: 'identity claims of the wrong type: sub true, jti a number (found by the claims fuzz)',
    forge: (victim, now) => withAppKey(victim, now, { claims: { sub: true, jti: 5 } }),
  },
  { name: 'an empty session id', forge: (victim, now) => withAppKey(victim, now, { claims: { sid: '' } }) },
  {
    name: 'a refresh token presented as the access token (RFC 8725 3.12)',
    forge: async (victim) => victim.refreshToken,
  },
];

/** The cookies a request carries, as `await cookies()` would give them. */
function jarWith(values: Record<string, string>): CookieReader {
  return { get: (name) => (name in values ? { value: values[name] } : undefined), has: (name) => name in values };
}

const page = (token: string) =>
  new NextRequest('http://localhost:3000/dashboard', { headers: { host: 'localhost:3000', cookie: `${names.access}=${token}` } });

/** What the proxy did: let the request on (`next`), or redirected it, or answered it itself. */
function proxyOutcome(response: Response): string {
  if (response.headers.get('x-middleware-next') === '1') return 'next';
  if (response.status === 307) return `redirect ${new URL(response.headers.get('location')!).pathname}`;
  return `status ${response.status}`;
}

/** Everything a sensitive action could change for the victim: money, payments, password, sessions, lab copies. */
async function victimState(victim: Victim) {
  const user = await db().user.findUniqueOrThrow({ where: { id: victim.user.id } });
  return {
    balanceCents: user.balanceCents,
    passwordHash: user.passwordHash,
    payments: await db().payment.count({ where: { senderId: victim.user.id } }),
    sessions: await db().session.findMany({ where: { userId: victim.user.id }, select: { id: true, revokedAt: true }, orderBy: { id: 'asc' } }),
    labCopies: await db().labTokenCopy.count({ where: { userId: victim.user.id } }),
  };
}

/** A second live session of the victim (another device): what the /sessions actions would end. */
async function victimPhone(victim: Victim, now: Date): Promise<string> {
  return (await createSession(victim.user.id, meta, now)).session.id;
}

type ActionOutcome = Awaited<ReturnType<typeof runSensitiveAction>>;

/**
 * Each sensitive action with a form that would succeed for a live session with a fresh password entry.
 * `genuine` is what a genuine token gets when the action succeeds without changing anything (the
 * control); otherwise it is `success` and the victim's state changes.
 */
/** A checked action's form at a time: bare, as a copied access token sends it, or with a page key's proof. */
type FormAt = (values: Record<string, string>, now: Date) => Promise<FormData>;
const plainForm: FormAt = async (values) => formData(values);

function sensitiveActions(
  recipientEmail: string,
  phoneSessionId: string,
): { name: string; run: (token: string, now: Date, form?: FormAt) => Promise<ActionOutcome>; genuine?: ActionOutcome }[] {
  return [
    {
      name: 'send a payment',
      run: async (token: string, now: Date, form: FormAt = plainForm) =>
        runSensitiveAction(
          sendPaymentDefinition,
          sensitiveRequestWith(token, now).request,
          await form({ recipient: recipientEmail, amount: '1.00', idempotencyKey: randomUUID() }, now),
        ),
    },
    {
      name: 'confirm the password (step-up)',
      run: async (token: string, now: Date, form: FormAt = plainForm) =>
        runSensitiveAction(confirmPasswordDefinition, sensitiveRequestWith(token, now).request, await form({ password: PASSWORD }, now)),
    },
    {
      name: 'change the password',
      run: async (token: string, now: Date, form: FormAt = plainForm) =>
        runSensitiveAction(
          changePasswordDefinition,
          sensitiveRequestWith(token, now).request,
          await form({ currentPassword: PASSWORD, newPassword: 'a brand new password here', confirmPassword: 'a brand new password here' }, now),
        ),
    },
    {
      name: 'sign out another session (/sessions)',
      run: async (token: string, now: Date, form: FormAt = plainForm) =>
        runSensitiveAction(signOutSessionsDefinition, sensitiveRequestWith(token, now).request, await form({ scope: 'one', sessionId: phoneSessionId }, now)),
    },
    {
      name: 'sign out all other sessions (/sessions)',
      run: async (token: string, now: Date, form: FormAt = plainForm) =>
        runSensitiveAction(signOutSessionsDefinition, sensitiveRequestWith(token, now).request, await form({ scope: 'others' }, now)),
    },
    {
      name: 'make a copy of a demonstration session’s access token (/lab)',
      run: async (token: string, now: Date, form: FormAt = plainForm) => runSensitiveAction(keepTokenCopyDefinition, sensitiveRequestWith(token, now).request, await form({}, now)),
    },
    {
      name: 'use the copy (/lab)',
      run: async (token: string, now: Date, form: FormAt = plainForm) => runSensitiveAction(tryTokenCopyDefinition, sensitiveRequestWith(token, now).request, await form({}, now)),
      // Its handler ran: with no copy made there is nothing to try (a forged token never gets this far).
      genuine: { status: 'error', code: 'refused', message: NO_COPY },
    },
  ];
}

describe('token attacks: the control (the same assertions pass for a genuine token)', () => {
  test('a genuine token passes the proxy and the stateless tier, and every sensitive action runs', async (t) => {
    // The lab's copy is tried over loopback at once; no server listens here, so that read is logged as unsent.
    t.mock.method(console, 'error', () => undefined);
    const now = new Date();
    const recipient = await createUser({ balanceCents: 0 });
    for (let i = 0; i < sensitiveActions('', '').length; i++) {
      const victim = await signedInUser(now, { bound: true }); // signed in through the form
      const action = sensitiveActions(recipient.email, await victimPhone(victim, now))[i];
      assert.equal(proxyOutcome(await proxy(page(victim.accessToken))), 'next');
      assert.equal((await verifySession({ cookies: jarWith({ [names.access]: victim.accessToken }), now }))?.sessionId, victim.session.id);
      const before = await victimState(victim);
      const result = await action.run(victim.accessToken, now, victim.actionForm);
      if (action.genuine) {
        assert.deepEqual(result, action.genuine, action.name);
      } else {
        assert.equal(result.status, 'success', `${action.name}: ${JSON.stringify(result)}`);
        assert.notDeepEqual(await victimState(victim), before, `${action.name} changed something`);
      }
    }
  });
});

describe('token attacks (ASVS 9.1.1, 9.1.2, 9.2.1-9.2.3; RFC 8725): refused at every gate, nothing changes', () => {
  for (const attack of ATTACKS) {
    test(attack.name, async () => {
      const now = new Date();
      const victim = await signedInUser(now);
      const phone = await victimPhone(victim, now);
      const recipient = await createUser({ balanceCents: 0 });
      const token = await attack.forge(victim, now);

      const verified = await verifyAccessToken(token, now);
      assert.deepEqual(verified, { ok: false, reason: attack.expired ? 'expired' : 'invalid' }, 'verifyAccessToken');

      assert.equal(proxyOutcome(await proxy(page(token))), 'redirect /login', 'the proxy sends a page request to sign-in');
      assert.equal(await verifySession({ cookies: jarWith({ [names.access]: token, [names.hint]: '1' }), now }), null, 'pages and /api/me read no session');

      const before = await victimState(victim);
      for (const action of sensitiveActions(recipient.email, phone)) {
        const result = await action.run(token, now);
        // An expired genuine-looking token is "renew and retry" (nothing ran); everything else is the end.
        const expected = attack.expired
          ? { status: 'error', code: 'session_expired', message: 'Your sign-in needs renewing.' }
          : { status: 'error', code: 'session_ended', message: SESSION_ENDED };
        assert.deepEqual(result, expected, action.name);
      }
      assert.deepEqual(await victimState(victim), before, 'no money moved, no password or session changed');
    });
  }
});

describe('token confusion: access and refresh tokens are not interchangeable (ASVS 9.2.2; RFC 8725 3.12)', () => {
  test('an access token presented as the refresh token: 401, no new cookie, the real refresh token unspent', async () => {
    const victim = await signedInUser(new Date());
    const response = await refresh(apiRequest('/api/auth/refresh', { cookies: { [names.refresh]: victim.accessToken } }));
    assert.equal(response.status, 401);
    assert.deepEqual([...setCookies(response).keys()], [], 'no cookie issued');
    const tokens = await db().refreshToken.findMany({ where: { sessionId: victim.session.id } });
    assert.deepEqual(tokens.map((t) => t.rotatedAt), [null], 'the genuine refresh token was not rotated');
  });

  test('the access token in both cookies still renews nothing', async () => {
    const victim = await signedInUser(new Date());
    const response = await refresh(
      apiRequest('/api/auth/refresh', { cookies: { [names.access]: victim.accessToken, [names.refresh]: victim.accessToken } }),
    );
    assert.equal(response.status, 401);
    assert.deepEqual([...setCookies(response).keys()], []);
  });
});

describe('a token of a revoked session (the premise): read until expiry, refused by every sensitive action', () => {
  test('after logout the stateless gates still accept it, and every sensitive action refuses it and changes nothing', async () => {
    const now = new Date();
    const victim = await signedInUser(now);
    const phone = await victimPhone(victim, now);
    const recipient = await createUser({ balanceCents: 0 });
    await signOut({ accessToken: victim.accessToken, refreshToken: victim.refreshToken }, { ipAddress: '127.0.0.1', userAgent: 'test' }, now);
    assert.ok((await db().session.findUniqueOrThrow({ where: { id: victim.session.id } })).revokedAt, 'the session is revoked');

    // Stateless by design: no database lookup, so a copy of the token still reads.
    assert.equal(proxyOutcome(await proxy(page(victim.accessToken))), 'next', 'the proxy lets the page through');
    const claims = await verifySession({ cookies: jarWith({ [names.access]: victim.accessToken }), now });
    assert.equal(claims?.sessionId, victim.session.id, 'pages and /api/me still read the claims');

    const before = await victimState(victim);
    for (const action of sensitiveActions(recipient.email, phone)) {
      assert.deepEqual(await action.run(victim.accessToken, now), { status: 'error', code: 'session_ended', message: SESSION_ENDED }, action.name);
    }
    assert.deepEqual(await victimState(victim), before, 'no money moved, no password or session changed');
  });

  test('… and only until its exp: ACCESS_TOKEN_TTL_SECONDS after issue the stateless tier refuses it too', async () => {
    const issuedAt = new Date();
    const victim = await signedInUser(issuedAt);
    await signOut({ accessToken: victim.accessToken }, { ipAddress: '127.0.0.1', userAgent: 'test' }, issuedAt);
    const jar = jarWith({ [names.access]: victim.accessToken });
    assert.ok(await verifySession({ cookies: jar, now: new Date(issuedAt.getTime() + (TTL - 1) * 1000) }), 'reads one second before expiry');
    assert.equal(await verifySession({ cookies: jar, now: new Date(issuedAt.getTime() + TTL * 1000) }), null, 'not at expiry');
  });
});

describe('stateless mode (ACCESS_TOKEN_CHECK unset): a token of a session ended any way still reads until its exp, and cannot act', () => {
  // The revocation-list mode refuses these same reads: tests/integration/token-attacks-revocation-list.test.ts.
  assert.equal(process.env.ACCESS_TOKEN_CHECK ?? 'stateless', 'stateless');
  for (const revocation of REVOCATIONS) {
    test(`${revocation.name}: the proxy and the stateless tier accept the copy; every sensitive action refuses it`, async () => {
      const now = new Date();
      const victim = await signedInUser(now);
      const recipient = await createUser({ balanceCents: 0 });
      await revocation.revoke(victim, now);
      await assertRevoked(victim, revocation.revokedReason);

      assert.equal(proxyOutcome(await proxy(page(victim.accessToken))), 'next', 'the proxy lets the page through');
      assert.equal((await verifySession({ cookies: jarWith({ [names.access]: victim.accessToken }), now }))?.sessionId, victim.session.id);

      const phone = await victimPhone(victim, now);
      const before = await victimState(victim);
      for (const action of sensitiveActions(recipient.email, phone)) {
        assert.deepEqual(await action.run(victim.accessToken, now), { status: 'error', code: 'session_ended', message: SESSION_ENDED }, action.name);
      }
      assert.deepEqual(await victimState(victim), before, 'no money moved, no password, session or copy changed');
    });
  }
});

describe('the clock-skew allowance for iat is narrow (ASVS 9.2.1)', () => {
  test(`a token whose iat is ${ISSUED_AT_CLOCK_SKEW_SECONDS} s ahead (another instance's clock) is accepted; one more second is not`, async () => {
    const now = new Date();
    const victim = await signedInUser(now);
    const ahead = (by: number) => withAppKey(victim, now, { claims: { iat: seconds(now) + by, exp: seconds(now) + by + TTL } });
    assert.equal((await verifyAccessToken(await ahead(ISSUED_AT_CLOCK_SKEW_SECONDS), now)).ok, true);
    assert.deepEqual(await verifyAccessToken(await ahead(ISSUED_AT_CLOCK_SKEW_SECONDS + 1), now), { ok: false, reason: 'invalid' });
  });
});
