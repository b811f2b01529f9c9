/**
 * Sign-in with email and password. One answer for a wrong password and an unknown email, after the same
 * work and the same database operations, so neither the response nor its timing reveals who has an
 * account (tests/integration/sign-in-work.test.ts). Every sign-in creates a new session row; the rows
 * written per client are bounded by the limits, never by the number of requests.
 * The work per outcome: docs/decisions/0057-no-account-enumeration.md.
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import type { RequestMeta } from '../request/request-meta';
import { checkPassword } from './check-password';
import { undoIfHasherBusy } from './password-hashing';
import { db } from '../db/client';
import { Prisma } from '../generated/prisma/client';
import { currentPasswordLock, releaseAttempt, reserveSignInIpAttempt, reserveSignInSuccess } from '../limits/rate-limit';
import { createSession, endSessionsTransaction } from '../session/session-store';
import type { IssuedRefreshToken } from '../session/session-types';
import { keyBindingColumns, type SignInKey } from '../session/binding-columns';
import { makeRoomForSession } from '../session/session-cap';
import { signOut } from './sign-out';
import type { SessionUser } from './user';

export type SignInResult =
  | { ok: true; user: SessionUser; sessionId: string; refreshToken: IssuedRefreshToken; proofNonce?: string }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number }
  /** The right password, but too many successful sign-ins for the account or the client IP just now. */
  | { ok: false; reason: 'too_many_sign_ins'; retryAfterSeconds: number };

/**
 * `replacing` is the refresh token this browser already holds, if any: a new sign-in ends that older
 * session instead of leaving it orphaned and alive (ASVS 7.2.4: new token on authentication, the old
 * one ended).
 */
export async function signIn(
  email: string,
  password: string,
  meta: RequestMeta,
  now = new Date(),
  replacing?: string,
  key?: SignInKey,
): Promise<SignInResult> {
  // Per client IP first: a client inventing emails is stopped before any Argon2 work.
  const ipAttempt = await reserveSignInIpAttempt(meta.ipAddress, now);
  if (!ipAttempt.ok) return { ok: false, reason: 'throttled', retryAfterSeconds: ipAttempt.retryAfterSeconds };

  // Refused as busy (a full hashing queue): not a failure of this IP either.
  const check = await undoIfHasherBusy(checkPassword(email, password, now), () => releaseAttempt(ipAttempt));
  // A refused attempt leaves no row at all (cheap database growth: one client wrote ~3,000 events in
  // 10 s that way). It cost no hashing either, so it does not count toward the client's IP limit.
  if (!check.ok && check.reason === 'throttled') {
    await releaseAttempt(ipAttempt);
    return check;
  }
  if (!check.ok) {
    await recordFailure(email, meta, now);
    return { ok: false, reason: 'invalid_credentials' };
  }

  // Only failures count per IP, so many people signing in behind one NAT address are not refused.
  await releaseAttempt(ipAttempt);
  // Successes are bounded too (per account and per IP): each writes a session, a token and an event.
  const success = await reserveSignInSuccess(check.user.id, meta.ipAddress, now);
  if (!success.ok) return { ok: false, reason: 'too_many_sign_ins', retryAfterSeconds: success.retryAfterSeconds };
  if (replacing) await signOut({ refreshToken: replacing }, meta, now);
  // The session, the sessions it displaces over the cap, and their records commit together: no
  // sign-in the owner cannot see on /activity, and never more than MAX_SESSIONS_PER_USER live.
  const binding = key ? keyBindingColumns(key, now) : undefined;
  const { session, refreshToken } = await endSessionsTransaction(async (tx, end) => {
    const displaced = await makeRoomForSession(tx, end, check.user.id, now);
    // One event per sign-in, however many it displaced: normally one, more only if the cap was lowered
    // or the account holds sessions from before it (bounded work for the owner's log either way).
    if (displaced.length > 0) {
      await recordSecurityEvent(
        {
          type: 'session_limit_reached',
          userId: check.user.id,
          sessionId: displaced.length === 1 ? displaced[0] : null,
          meta,
          now,
          detail:
            displaced.length === 1
              ? 'A new sign-in went over the number of sessions an account may keep, so the session unused the longest was signed out.'
              : `A new sign-in went over the number of sessions an account may keep, so the ${displaced.length} sessions unused the longest were signed out.`,
        },
        tx,
      );
    }
    const created = await createSession(check.user.id, meta, now, tx, binding);
    const detail = binding ? 'Bound to a key this browser made at sign-in.' : undefined;
    await recordSecurityEvent({ type: 'login_succeeded', userId: check.user.id, sessionId: created.session.id, meta, now, detail }, tx);
    return created;
  });
  return { ok: true, user: check.user, sessionId: session.id, refreshToken, proofNonce: binding?.keyProofNonce };
}

/**
 * Logged against the account when it exists, and with no account when it does not: the same lookup
 * and the same inserts either way. The typed email itself is never stored.
 */
async function recordFailure(email: string, meta: RequestMeta, now: Date) {
  const user = await db().user.findUnique({ where: { email }, select: { id: true } });
  const userId = user?.id ?? null;
  await recordSecurityEvent({ type: 'login_failed', userId, meta, now });
  const lock = await currentPasswordLock(email, now);
  if (lock) await recordLockOnce(lock, userId, meta, now);
}

/** One `login_throttled` per lock period: its id is derived from the lock, so a second insert collides. */
async function recordLockOnce(lockId: string, userId: string | null, meta: RequestMeta, now: Date) {
  try {
    await recordSecurityEvent({ id: lockId, type: 'login_throttled', userId, meta, now });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
  }
}
