/**
 * Changing a password (ASVS 6.2.3 / 7.5.1): the current password is always required first (the caller
 * checks it through lib/auth/check-password.ts). Then, in one transaction: the current session, which must
 * still be live, gets a new refresh token (ASVS 7.2.4); the new hash is stored; and every other
 * session of the user is ended (ASVS 7.4.3: whoever else was signed in, perhaps with a stolen
 * password, is out). If the session was revoked between the check and the change, nothing changes.
 */
import 'server-only';
import { db } from '../db/client';
import { hashPassword } from './password-hashing';
import { reissueRefreshToken, revokeSessions, type IssuedRefreshToken } from '../session/session-store';

export type PasswordChangeResult =
  | { ok: true; refreshToken: IssuedRefreshToken; otherSessionsEnded: number }
  | { ok: false; reason: 'session_ended' };

export async function changePassword(
  userId: string,
  sessionId: string,
  newPassword: string,
  now = new Date(),
): Promise<PasswordChangeResult> {
  // Hashing is slow by design: done before the transaction, which then only writes.
  const passwordHash = await hashPassword(newPassword);
  try {
    return await db().$transaction(async (tx) => {
      const refreshToken = await reissueRefreshToken(tx, sessionId, now);
      if (!refreshToken) throw new SessionEnded();
      await tx.user.update({ where: { id: userId }, data: { passwordHash, passwordChangedAt: now } });
      const otherSessionsEnded = await revokeSessions(tx, { userId, id: { not: sessionId } }, 'password_changed', now);
      return { ok: true as const, refreshToken, otherSessionsEnded };
    });
  } catch (error) {
    if (error instanceof SessionEnded) return { ok: false, reason: 'session_ended' };
    throw error;
  }
}

/** Thrown inside the transaction to roll it back when the session row is no longer live. */
class SessionEnded extends Error {}
