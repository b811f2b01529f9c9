/**
 * "Why you were signed out" (lib/session/signed-out-reason.ts): the reason cookie is set only on a
 * response to the request that presented the ended session's own token, only for endings its holder
 * did not choose, and with attributes no other site or sibling host can imitate; signing in or out
 * clears it.
 */
// database: sqlite-only — the reason cookie is chosen and written in JavaScript from a row read by id
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';
import { formData, meta, PASSWORD, secondsLater, sensitiveRequestWith, signedInUser } from '../helpers/fixtures';
import { forgeAccessToken } from '../helpers/forge-token';
import { apiRequest, assertCookie, setCookies } from '../helpers/http';
import { changePassword } from '../../lib/auth/password-change';
import { db } from '../../lib/db/client';
import { signAccessToken } from '../../lib/tokens/access-token';
import { cookieNames, signedOutReasonCookieName } from '../../lib/tokens/cookies';
import { runSensitiveAction } from '../../lib/sensitive-actions/checked-action';
import { changePasswordDefinition } from '../../lib/sensitive-actions/change-password-action';
import { confirmPasswordDefinition } from '../../lib/sensitive-actions/confirm-password-action';
import { rotateRefreshToken } from '../../lib/session/rotate-refresh-token';
import { createSession, revokeSession } from '../../lib/session/session-store';
import type { RevocationReason } from '../../lib/session/session-types';
import {
  LEGACY_LAB_REVOCATION,
  parseSignedOutReason,
  SIGNED_OUT_MESSAGES,
  SIGNED_OUT_REASONS,
  signedOutReasonFor,
} from '../../lib/session/signed-out-reason';
import { POST as login } from '../../app/api/auth/login/route';
import { POST as logout } from '../../app/api/auth/logout/route';
import { GET as renewByNavigation, POST as refresh } from '../../app/api/auth/refresh/route';

useTestDatabase();

const names = cookieNames();
const REASON = signedOutReasonCookieName();
const HOUR = 3600;

describe('which endings are explained, and how', () => {
  test('only endings the holder did not choose get a reason', () => {
    assert.equal(signedOutReasonFor({ state: 'reused' }), 'refresh_token_reuse');
    assert.equal(signedOutReasonFor({ state: 'idle_expired' }), 'idle_timeout');
    assert.equal(signedOutReasonFor({ state: 'absolute_expired' }), 'absolute_timeout');
    const byRevocation: Record<RevocationReason, string | null> = {
      refresh_token_reuse: 'refresh_token_reuse',
      password_changed_elsewhere: 'password_changed_elsewhere',
      revoked_by_user: 'revoked_by_user',
      // Written on the row by whatever found the timeout, or by a sign-in over the cap: never the holder's choice.
      idle_timeout: 'idle_timeout',
      absolute_timeout: 'absolute_timeout',
      session_limit: 'session_limit',
      // A renewal signed by another key: someone else had the cookies.
      binding_proof_failed: 'binding_proof_failed',
      // Chosen by the holder: they signed out, or typed their password and continue in a new session.
      logout: null,
      password_changed: null,
      reauthenticated: null,
    };
    for (const [revokedReason, expected] of Object.entries(byRevocation)) {
      assert.equal(signedOutReasonFor({ state: 'revoked', revokedReason }), expected, revokedReason);
    }
    // Written by an older /lab, which any holder of the access token could trigger: never silent.
    assert.equal(signedOutReasonFor({ state: 'revoked', revokedReason: LEGACY_LAB_REVOCATION }), 'ended_on_lab');
    assert.equal(signedOutReasonFor({ state: 'revoked', revokedReason: null }), null);
  });

  test('the cookie is read only as one of the known codes', () => {
    for (const reason of SIGNED_OUT_REASONS) assert.equal(parseSignedOutReason(reason), reason);
    for (const value of [undefined, '', 'logout', 'revoked_by_user ', 'REVOKED_BY_USER', '<script>alert(1)</script>', 'constructor']) {
      assert.equal(parseSignedOutReason(value), null, JSON.stringify(value));
    }
  });

  test('each message is one plain sentence that says it was not the reader’s doing', () => {
    for (const reason of SIGNED_OUT_REASONS) {
      const message = SIGNED_OUT_MESSAGES[reason];
      assert.match(message, /^You were signed out because [^.]+\.$/, reason);
    }
    assert.match(SIGNED_OUT_MESSAGES.refresh_token_reuse, /refresh token was used twice/);
    assert.match(SIGNED_OUT_MESSAGES.password_changed_elsewhere, /password was changed in another session/);
    assert.match(SIGNED_OUT_MESSAGES.revoked_by_user, /ended from another device/);
  });
});

/** The three ways a browser renews: fetch POST, the renewal page's form POST, and the GET hop. */
const RENEWALS = {
  'POST (fetch)': (cookies: Record<string, string>) => refresh(apiRequest('/api/auth/refresh', { cookies })),
  'POST (form)': (cookies: Record<string, string>) =>
    refresh(
      apiRequest('/api/auth/refresh?next=%2Fpayments', {
        cookies,
        headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', accept: 'text/html' },
      }),
    ),
  'GET hop': (cookies: Record<string, string>) =>
    renewByNavigation(
      apiRequest('/api/auth/refresh?next=%2Fpayments', {
        method: 'GET',
        origin: undefined,
        cookies,
        headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate' },
      }),
    ),
};

/**
 * What an older /lab wrote when its button was pressed in a session (possibly with a copied access
 * token): the row revoked as `lab_token_copied`, its unused refresh tokens withdrawn. Nothing writes
 * this now; databases may still hold such rows.
 */
async function endAsTheOldLabDid(sessionId: string, now = new Date()) {
  await db().refreshToken.updateMany({ where: { sessionId, rotatedAt: null, revokedAt: null }, data: { revokedAt: now } });
  await db().session.update({ where: { id: sessionId }, data: { revokedAt: now, revokedReason: LEGACY_LAB_REVOCATION } });
}

/** A browser whose session ended in one of the ways below, holding that session's refresh cookie. */
type Ending = { name: string; expected: string | null; make: () => Promise<Record<string, string>> };

const endings: Ending[] = [
  {
    name: 'signed out from another device (/sessions)',
    expected: 'revoked_by_user',
    async make() {
      const { session, refreshToken } = await signedInUser();
      await revokeSession(session.id, 'revoked_by_user');
      return { [names.refresh]: refreshToken };
    },
  },
  {
    name: 'the password was changed in another session',
    expected: 'password_changed_elsewhere',
    async make() {
      const other = await signedInUser();
      const here = await createSession(other.user.id, meta);
      await changePassword({ userId: other.user.id, sessionId: other.session.id }, 'a new password for this account', meta);
      return { [names.refresh]: here.refreshToken.token };
    },
  },
  {
    name: 'reuse detected earlier by another request',
    expected: 'refresh_token_reuse',
    async make() {
      const { refreshToken } = await signedInUser(new Date(Date.now() - 60_000));
      const rotated = await rotateRefreshToken(refreshToken, meta, new Date(Date.now() - 30_000));
      assert.equal(rotated.status, 'rotated');
      await rotateRefreshToken(refreshToken, meta); // the replay: revokes the session
      return { [names.refresh]: rotated.status === 'rotated' ? rotated.refreshToken.token : '' };
    },
  },
  {
    name: 'idle for longer than the idle timeout',
    expected: 'idle_timeout',
    async make() {
      const { refreshToken } = await signedInUser(new Date(Date.now() - 2 * HOUR * 1000));
      return { [names.refresh]: refreshToken };
    },
  },
  {
    name: 'past the absolute lifetime, though active',
    expected: 'absolute_timeout',
    async make() {
      const { session, refreshToken } = await signedInUser(new Date(Date.now() - 25 * HOUR * 1000));
      await db().session.update({ where: { id: session.id }, data: { lastActiveAt: new Date(Date.now() - 60_000) } });
      return { [names.refresh]: refreshToken };
    },
  },
  {
    name: 'signed out by its own holder (logout)',
    expected: null,
    async make() {
      const { session, refreshToken } = await signedInUser();
      await revokeSession(session.id, 'logout');
      return { [names.refresh]: refreshToken };
    },
  },
  {
    name: 'replaced because this browser typed the password (a racing refresh)',
    expected: null,
    async make() {
      const alice = await signedInUser();
      const { request } = sensitiveRequestWith(alice.accessToken, new Date());
      assert.equal((await runSensitiveAction(confirmPasswordDefinition, request, formData({ password: PASSWORD }))).status, 'success');
      return { [names.refresh]: alice.refreshToken };
    },
  },
  {
    name: 'replaced because this browser changed the password (a racing refresh)',
    expected: null,
    async make() {
      const alice = await signedInUser();
      const { request } = sensitiveRequestWith(alice.accessToken, new Date());
      const change = formData({ currentPassword: PASSWORD, newPassword: 'a brand new password here', confirmPassword: 'a brand new password here' });
      assert.equal((await runSensitiveAction(changePasswordDefinition, request, change)).status, 'success');
      return { [names.refresh]: alice.refreshToken };
    },
  },
  {
    name: 'ended on /lab by an older version of the app (a row from before the lab stopped ending sessions)',
    expected: 'ended_on_lab',
    async make() {
      const { refreshToken, session } = await signedInUser();
      await endAsTheOldLabDid(session.id);
      return { [names.refresh]: refreshToken };
    },
  },
  {
    name: 'an unknown refresh token',
    expected: null,
    async make() {
      return { [names.refresh]: randomBytes(32).toString('base64url') };
    },
  },
];

describe('a refused renewal tells the session’s own holder why, and only for endings they did not choose', () => {
  for (const ending of endings) {
    for (const [how, renew] of Object.entries(RENEWALS)) {
      test(`${ending.name}, ${how}: ${ending.expected ?? 'no reason'}`, async () => {
        const response = await renew(await ending.make());
        assert.ok(response.status === 401 || response.status === 303, `refused (${response.status})`);
        const cookie = setCookies(response).get(REASON);
        if (ending.expected === null) {
          assert.equal(cookie, undefined, 'no reason cookie');
          return;
        }
        // Host-only, HttpOnly, SameSite=Lax, Secure, two minutes: no other site or sibling host can set one.
        assertCookie(cookie, { name: REASON, value: ending.expected, path: '/', maxAge: 120, secure: true });
        assert.equal(REASON, '__Host-signed_out');
        if (response.status === 303) assert.equal(response.headers.get('location'), '/login?next=%2Fpayments', 'never in the URL');
      });
    }
  }

  test('a live session renews without any reason cookie', async () => {
    const { refreshToken } = await signedInUser();
    const response = await refresh(apiRequest('/api/auth/refresh', { cookies: { [names.refresh]: refreshToken } }));
    assert.equal(response.status, 200);
    assert.equal(setCookies(response).has(REASON), false);
  });

  test('a cross-site renewal attempt changes nothing and sets nothing, even for an ended session', async () => {
    const { session, refreshToken } = await signedInUser();
    await revokeSession(session.id, 'revoked_by_user');
    const response = await refresh(apiRequest('/api/auth/refresh', { origin: 'https://evil.example', cookies: { [names.refresh]: refreshToken } }));
    assert.equal(response.status, 403);
    assert.equal(setCookies(response).size, 0);
  });
});

describe('the checked path tells the holder of the ended session’s access token, and nobody else', () => {
  test('a revoked session’s live access token: refused, with the reason', async () => {
    const now = new Date();
    const { user, session } = await signedInUser(now);
    await revokeSession(session.id, 'revoked_by_user', now);
    const token = await signAccessToken({ userId: user.id, email: user.email, sessionId: session.id }, now);
    const { request, cookiesSet } = sensitiveRequestWith(token.token, secondsLater(now, 1));
    const result = await runSensitiveAction(confirmPasswordDefinition, request, formData({ password: PASSWORD }));
    assert.equal(result.status === 'error' && result.code, 'session_ended');
    assert.deepEqual([...cookiesSet.entries()], [[REASON, { value: 'revoked_by_user', maxAge: 120 }]]);
  });

  test('a session an older /lab ended (possibly pressed with a copy of its access token): refused, with the reason', async () => {
    const now = new Date();
    const victim = await signedInUser(now);
    await endAsTheOldLabDid(victim.session.id, now);
    const { request, cookiesSet } = sensitiveRequestWith(victim.accessToken, secondsLater(now, 1));
    const result = await runSensitiveAction(confirmPasswordDefinition, request, formData({ password: PASSWORD }));
    assert.equal(result.status === 'error' && result.code, 'session_ended');
    assert.deepEqual([...cookiesSet.entries()], [[REASON, { value: 'ended_on_lab', maxAge: 120 }]]);
  });

  test('a token naming someone else’s ended session, a forged token, and a logged-out session: refused, no reason', async () => {
    const now = new Date();
    const victim = await signedInUser(now);
    await revokeSession(victim.session.id, 'refresh_token_reuse', now);
    const mallory = await signedInUser(now);
    const loggedOut = await signedInUser(now);
    await revokeSession(loggedOut.session.id, 'logout', now);
    const tokens = {
      // Mallory's own valid token, edited to name the victim's session: the row belongs to another user.
      'another user’s session': (await signAccessToken({ userId: mallory.user.id, email: mallory.user.email, sessionId: victim.session.id }, now)).token,
      'a token signed with a key the app does not hold': await forgeAccessToken(randomBytes(32), {
        kid: 'test-current',
        now,
        claims: { sub: victim.user.id, sid: victim.session.id, email: victim.user.email },
      }),
      'a session its holder signed out': loggedOut.accessToken,
    };
    for (const [what, token] of Object.entries(tokens)) {
      const { request, cookiesSet } = sensitiveRequestWith(token, secondsLater(now, 1));
      const result = await runSensitiveAction(confirmPasswordDefinition, request, formData({ password: PASSWORD }));
      assert.equal(result.status === 'error' && result.code, 'session_ended', what);
      assert.equal(cookiesSet.size, 0, `${what}: no cookie`);
    }
  });
});

describe('signing in or out clears the reason', () => {
  test('a successful sign-in clears a reason the browser still holds', async () => {
    const { user } = await signedInUser();
    const response = await login(
      apiRequest('/api/auth/login', { body: { email: user.email, password: PASSWORD }, cookies: { [REASON]: 'revoked_by_user' } }),
    );
    assert.equal(response.status, 200);
    assertCookie(setCookies(response).get(REASON), { name: REASON, value: '', path: '/', maxAge: 0, secure: true });
  });

  test('a failed sign-in leaves it, so the form still explains', async () => {
    const { user } = await signedInUser();
    const response = await login(
      apiRequest('/api/auth/login', { body: { email: user.email, password: 'not the password at all' }, cookies: { [REASON]: 'revoked_by_user' } }),
    );
    assert.equal(response.status, 401);
    assert.equal(setCookies(response).has(REASON), false);
  });

  test('signing out clears it: the sign-in page must not explain an older ending instead', async () => {
    const browser = await signedInUser();
    const response = await logout(
      apiRequest('/api/auth/logout', { cookies: { [names.access]: browser.accessToken, [names.refresh]: browser.refreshToken, [REASON]: 'idle_timeout' } }),
    );
    assert.equal(response.status, 200);
    assertCookie(setCookies(response).get(REASON), { name: REASON, value: '', path: '/', maxAge: 0, secure: true });
  });
});
