/**
 * ACCESS_TOKEN_CHECK=revocation-list: whatever ends a session, the server that ended it refuses the
 * session's access token on its very next read (ASVS 7.4.1: termination takes effect at once where the
 * app keeps state). The attack: copy a victim's access token, then read with it on the same server
 * right after the session was ended by /sessions, a password change, a step-up, reuse detection, ...
 * Each ending below is driven through the function the app itself calls (the checked server action,
 * the sign-out, the rotation), not through a helper of the test.
 *
 * The list under test never reloads by itself here (a refresh interval of an hour): a read refused
 * right after an ending was refused because the ending told this process's list, which is exactly
 * what an ending that bypassed `endSessionsTransaction` (lib/session/session-store.ts) failed to do.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/revocation-list-every-ending.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { useTestDatabase } from '../helpers/database';

process.env.ACCESS_TOKEN_CHECK = 'revocation-list';
process.env.ACCESS_TOKEN_TTL_SECONDS = '300';
process.env.REFRESH_REUSE_GRACE_SECONDS = '10';

const { PASSWORD, formData, meta, secondsLater, sensitiveRequestWith, signedInUser } = await import('../helpers/fixtures');
const { db } = await import('../../lib/db/client');
const { verifySession } = await import('../../lib/dal');
const { cookieNames } = await import('../../lib/tokens/cookies');
const { signAccessToken, verifyAccessToken } = await import('../../lib/tokens/access-token');
const { registerRevocationList, unregisterRevocationList } = await import('../../lib/tokens/read-check');
const { createRevocationList } = await import('../../lib/session/revocation-list');
const { runSensitiveAction } = await import('../../lib/sensitive-actions/checked-action');
const { signOutSessionsDefinition } = await import('../../lib/sensitive-actions/sign-out-sessions-action');
const { changePasswordDefinition } = await import('../../lib/sensitive-actions/change-password-action');
const { confirmPasswordDefinition } = await import('../../lib/sensitive-actions/confirm-password-action');
const { signOut } = await import('../../lib/auth/sign-out');
const { rotateRefreshToken } = await import('../../lib/session/rotate-refresh-token');
const { issueSessionCookies } = await import('../../lib/tokens/issue-session-cookies');
const { createSession, endSessionsTransaction, replaceSession, revokeSession } = await import('../../lib/session/session-store');

useTestDatabase();

const jarWith = (token: string) => ({
  get: (name: string) => (name === cookieNames().access ? { value: token } : undefined),
  has: (name: string) => name === cookieNames().access,
});

const reads = async (token: string, now = new Date()) => (await verifySession({ cookies: jarWith(token), now })) !== null;

beforeEach(() => {
  // This process's list, answering from its snapshot for an hour unless an ending tells it otherwise.
  unregisterRevocationList();
  registerRevocationList(createRevocationList({ refreshMs: 3_600_000 }));
});
afterEach(() => unregisterRevocationList());

/** A second session of the victim, with a copied access token that reads until the ending. */
async function copiedSession(userId: string, email: string, now = new Date()) {
  const { session, refreshToken } = await createSession(userId, meta, now);
  const access = await signAccessToken({ userId, email, sessionId: session.id }, now);
  return { session, refreshToken: refreshToken.token, accessToken: access.token };
}

describe('revocation-list mode: a copied access token is refused on the same server right after its session ends', () => {
  test('sign-out: the signed-out copy reads no more', async () => {
    const victim = await signedInUser();
    assert.equal(await reads(victim.accessToken), true, 'the copy reads before');
    await signOut({ refreshToken: victim.refreshToken }, meta);
    assert.equal(await reads(victim.accessToken), false);
  });

  test('/sessions, one other session: the thief\'s copy of that session reads no more', async () => {
    const victim = await signedInUser(new Date(), { bound: true }); // signed in through the form
    const stolen = await copiedSession(victim.user.id, victim.user.email);
    assert.equal(await reads(stolen.accessToken), true);
    const now = new Date();
    const { request } = sensitiveRequestWith(victim.accessToken, now);
    const result = await runSensitiveAction(signOutSessionsDefinition, request, await victim.actionForm({ scope: 'one', sessionId: stolen.session.id }, now));
    assert.equal(result.status, 'success');
    assert.equal(await reads(stolen.accessToken), false);
    assert.equal(await reads(victim.accessToken), true, 'the session that did it reads on');
  });

  test('/sessions, all others: every other session\'s copy reads no more', async () => {
    const victim = await signedInUser(new Date(), { bound: true }); // signed in through the form
    const stolen = [await copiedSession(victim.user.id, victim.user.email), await copiedSession(victim.user.id, victim.user.email)];
    for (const copy of stolen) assert.equal(await reads(copy.accessToken), true);
    const now = new Date();
    const { request } = sensitiveRequestWith(victim.accessToken, now);
    const result = await runSensitiveAction(signOutSessionsDefinition, request, await victim.actionForm({ scope: 'others' }, now));
    assert.deepEqual(result, { status: 'success', message: 'Signed out 2 other sessions.' });
    for (const copy of stolen) assert.equal(await reads(copy.accessToken), false);
  });

  test('password change: the copy of the session it was made in and of every other session read no more', async () => {
    const victim = await signedInUser();
    const elsewhere = await copiedSession(victim.user.id, victim.user.email);
    assert.equal(await reads(victim.accessToken), true);
    assert.equal(await reads(elsewhere.accessToken), true);
    const { request } = sensitiveRequestWith(victim.accessToken, new Date());
    const newPassword = 'another password that is long enough 42';
    const result = await runSensitiveAction(
      changePasswordDefinition,
      request,
      formData({ currentPassword: PASSWORD, newPassword, confirmPassword: newPassword }),
    );
    assert.equal(result.status, 'success', JSON.stringify(result));
    assert.equal(await reads(victim.accessToken), false, 'the replaced session');
    assert.equal(await reads(elsewhere.accessToken), false, 'the other session');
  });

  test('step-up: the copy of the replaced session reads no more', async () => {
    const victim = await signedInUser();
    assert.equal(await reads(victim.accessToken), true);
    const { request } = sensitiveRequestWith(victim.accessToken, new Date());
    const result = await runSensitiveAction(confirmPasswordDefinition, request, formData({ password: PASSWORD }));
    assert.equal(result.status, 'success', JSON.stringify(result));
    assert.equal(await reads(victim.accessToken), false);
  });

  test('refresh-token reuse: the session revoked by reuse detection reads no more', async () => {
    const signedInAt = secondsLater(new Date(), -60);
    const victim = await signedInUser(signedInAt);
    // Rotated 30 s ago (outside the 10 s grace window), so presenting the old token again is reuse.
    assert.equal((await rotateRefreshToken(victim.refreshToken, meta, secondsLater(signedInAt, 30))).status, 'rotated');
    assert.equal(await reads(victim.accessToken), true);
    assert.deepEqual(await rotateRefreshToken(victim.refreshToken, meta), { status: 'rejected', reason: 'reused' });
    assert.equal(await reads(victim.accessToken), false);
  });

  test('revokeSession: the ended session reads no more', async () => {
    const victim = await signedInUser();
    assert.equal(await reads(victim.accessToken), true);
    assert.equal(await revokeSession(victim.session.id, 'logout'), true);
    assert.equal(await reads(victim.accessToken), false);
  });

  test('the lab: the copy of its signed-out demonstration session reads no more, at once', async () => {
    const { makeLabCopy } = await import('../helpers/lab-copy');
    const { findCopiedToken } = await import('../../lib/lab/token-copy');
    const person = await signedInUser();
    // This process has just answered from a fresh snapshot, taken before the demonstration session existed.
    assert.equal(await reads(person.accessToken), true);
    await makeLabCopy(person);
    const copy = await findCopiedToken({ userId: person.user.id, sessionId: person.session.id });
    assert.ok(copy);
    assert.equal((await verifyAccessToken(copy.token, new Date())).ok, true, 'the copy itself is a valid token');
    assert.equal(await reads(copy.token), false);
    assert.equal(await reads(person.accessToken), true, 'the person’s own session reads on');
  });

  test('sign-in over the session cap: the displaced session reads no more', async () => {
    const { signIn } = await import('../../lib/auth/sign-in');
    const victim = await signedInUser(secondsLater(new Date(), -60));
    // The victim's session is the one unused the longest; fill the account up to the cap with newer ones.
    const cap = Number(process.env.MAX_SESSIONS_PER_USER ?? 20);
    for (let i = 1; i < cap; i++) await createSession(victim.user.id, meta, secondsLater(new Date(), -30));
    assert.equal(await reads(victim.accessToken), true);
    const result = await signIn(victim.user.email, PASSWORD, meta);
    assert.equal(result.ok, true);
    assert.equal(await reads(victim.accessToken), false);
  });

  test('absolute timeout: no token outlives its session, so a copy stops reading at the deadline', async () => {
    // Signed in so long ago that the session ends in 60 s: a token issued now must end with it.
    const absolute = Number(process.env.SESSION_ABSOLUTE_TIMEOUT_SECONDS);
    const signedInAt = secondsLater(new Date(), -(absolute - 60));
    const victim = await signedInUser(signedInAt);
    // Busy all along: active a moment ago, so only the absolute deadline is near.
    await db().session.update({ where: { id: victim.session.id }, data: { lastActiveAt: secondsLater(new Date(), -10) } });
    const renewed = await rotateRefreshToken(victim.refreshToken, meta);
    assert.equal(renewed.status, 'rotated');
    if (renewed.status !== 'rotated') return;
    const cookies = await issueSessionCookies(renewed);
    assert.equal(cookies.accessTokenExpiresAt.getTime(), Math.floor(victim.session.expiresAt.getTime() / 1000) * 1000, 'exp capped at the deadline');
    const written = new Map<string, { value: string; maxAge: number }>();
    cookies.writeTo({ set: (name, value, options) => void written.set(name, { value, maxAge: options.maxAge }) });
    const cookie = written.get(cookieNames().access)!;
    assert.ok(cookie.maxAge <= 60, `the cookie's Max-Age stops at the deadline too (${cookie.maxAge})`);

    assert.equal(await reads(cookie.value), true, 'reads before the deadline');
    // At the deadline: the renewal is refused and written (reason absolute_timeout), and the copy, whose
    // `exp` is that deadline, is already expired: refused with no list at all.
    const atDeadline = victim.session.expiresAt;
    assert.deepEqual(await rotateRefreshToken(renewed.refreshToken.token, meta, atDeadline), { status: 'rejected', reason: 'absolute_expired' });
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: victim.session.id } })).revokedReason, 'absolute_timeout');
    assert.equal((await verifyAccessToken(cookie.value, atDeadline)).ok, false);
    assert.equal(await reads(cookie.value, atDeadline), false);
  });

  test('a renewal that does not mark the session active (rotation budget spent) issues no token past the idle deadline', async () => {
    const idle = Number(process.env.SESSION_IDLE_TIMEOUT_SECONDS);
    const victim = await signedInUser(secondsLater(new Date(), -120));
    let token = victim.refreshToken;
    for (let i = 0; i < 5; i++) {
      // 11 s apart: a successor younger than the 10 s grace window is not rotated again.
      const next = await rotateRefreshToken(token, meta, secondsLater(new Date(), -110 + i * 11));
      assert.equal(next.status, 'rotated');
      if (next.status === 'rotated') token = next.refreshToken.token;
    }
    // The row says the session was last active just inside the idle window (the budget's "current" answer
    // writes nothing, so it does not move this): the idle deadline is 30 s away.
    await db().session.update({ where: { id: victim.session.id }, data: { lastActiveAt: secondsLater(new Date(), -(idle - 30)) } });
    const current = await rotateRefreshToken(token, meta);
    assert.equal(current.status, 'current');
    if (current.status !== 'current') return;
    const cookies = await issueSessionCookies(current);
    assert.ok(cookies.accessTokenExpiresAt.getTime() <= current.timeline.idleExpiresAt.getTime(), 'exp capped at the idle deadline');
    assert.ok(cookies.accessTokenExpiresAt.getTime() < Date.now() + 60_000);
  });

  test('idle timeout: a session found idle is ended, and its tokens had already expired', async () => {
    const idle = Number(process.env.SESSION_IDLE_TIMEOUT_SECONDS);
    const ttl = Number(process.env.ACCESS_TOKEN_TTL_SECONDS);
    const lastActive = secondsLater(new Date(), -idle);
    const victim = await signedInUser(lastActive);
    // Every access token is issued at a renewal or a sign-in, which also sets lastActiveAt, and lives
    // ACCESS_TOKEN_TTL_SECONDS, shorter than the idle timeout (lib/config/config.ts): by the idle
    // deadline the last one is ACCESS_TOKEN_TTL_SECONDS past its `exp`.
    assert.ok(ttl < idle);
    assert.equal((await verifyAccessToken(victim.accessToken, new Date())).ok, false, 'expired long before the idle deadline');
    assert.equal(await reads(victim.accessToken), false);
    assert.deepEqual(await rotateRefreshToken(victim.refreshToken, meta), { status: 'rejected', reason: 'idle_expired' });
    assert.equal((await db().session.findUniqueOrThrow({ where: { id: victim.session.id } })).revokedReason, 'idle_timeout');
  });
});

describe('no session ends except through endSessionsTransaction', () => {
  test('replaceSession refuses a transaction not opened by endSessionsTransaction (its ending would go untold)', async () => {
    const victim = await signedInUser();
    await assert.rejects(
      db().$transaction((tx) => replaceSession(tx, { sessionId: victim.session.id, userId: victim.user.id }, 'reauthenticated', meta, new Date())),
      /endSessionsTransaction/,
    );
    assert.equal(await reads(victim.accessToken), true, 'nothing ended');
    const replaced = await endSessionsTransaction((tx) =>
      replaceSession(tx, { sessionId: victim.session.id, userId: victim.user.id }, 'reauthenticated', meta, new Date()),
    );
    assert.ok(replaced);
    assert.equal(await reads(victim.accessToken), false);
  });

  test('no code outside lib/session/session-store.ts writes a session\'s revokedAt or revokedReason', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) {
          if (name !== 'generated' && name !== 'node_modules') walk(full);
        } else if (/\.tsx?$/.test(name)) {
          const relative = path.relative(root, full);
          if (relative === path.join('lib', 'session', 'session-store.ts')) continue;
          const source = readFileSync(full, 'utf8');
          // A revocation written by hand: an update whose data sets revokedAt or revokedReason.
          if (/data:\s*\{[^}]*\brevoked(At|Reason)\b/.test(source)) offenders.push(relative);
          if (/UPDATE\s+"Session"/i.test(source)) offenders.push(relative);
          if (/export\s+(async\s+)?function\s+revokeSessions\b/.test(source)) offenders.push(relative);
        }
      }
    };
    for (const dir of ['app', 'lib', 'proxy.ts', 'instrumentation.ts']) {
      const full = path.join(root, dir);
      if (statSync(full).isDirectory()) walk(full);
    }
    assert.deepEqual(offenders, []);
  });
});
