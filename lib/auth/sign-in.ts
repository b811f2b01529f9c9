/**
 * Sign-in with email and password. One answer for a wrong password and an unknown email, with the
 * same work done for both (lib/auth/check-password.ts), so the response reveals nothing about who has an
 * account. Every sign-in creates a new session row.
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import type { RequestMeta } from '../http/request-meta';
import { checkPassword } from './check-password';
import { db } from '../db/client';
import { maybePruneExpiredRecords } from '../db/housekeeping';
import { createSession, type IssuedRefreshToken } from '../session/session-store';
import { signOut } from './sign-out';

export type SignInResult =
  | { ok: true; user: { id: string; email: string }; sessionId: string; refreshToken: IssuedRefreshToken }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

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
): Promise<SignInResult> {
  const check = await checkPassword(email, password, now);
  if (!check.ok) {
    await recordFailure(email, check.reason, meta, now);
    return check;
  }
  if (replacing) await signOut({ refreshToken: replacing }, meta, now);
  const { session, refreshToken } = await createSession(check.user.id, meta, now);
  await recordSecurityEvent({ type: 'login_succeeded', userId: check.user.id, sessionId: session.id, meta, now });
  await maybePruneExpiredRecords(now);
  return { ok: true, user: check.user, sessionId: session.id, refreshToken };
}

/** Failures are logged against the account when it exists; unknown emails leave no trace to read back. */
async function recordFailure(email: string, reason: 'invalid_credentials' | 'throttled', meta: RequestMeta, now: Date) {
  const user = await db().user.findUnique({ where: { email }, select: { id: true } });
  if (!user) return;
  await recordSecurityEvent({
    type: reason === 'throttled' ? 'login_throttled' : 'login_failed',
    userId: user.id,
    meta,
    now,
  });
}
