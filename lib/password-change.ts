/**
 * Changing a password (ASVS 6.2.3 / 7.5.1): the current password is always required first (the caller
 * checks it through lib/authenticate.ts). Then, in one transaction: the new hash is stored, every other
 * session of the user is ended (ASVS 7.4.3: whoever else was signed in, perhaps with a stolen password,
 * is out), and the current session gets a new refresh token (ASVS 7.2.4).
 */
import 'server-only';
import { db } from './db';
import { hashPassword } from './password';
import { reissueRefreshTokenOperations, revokeSessionsOperations, type IssuedRefreshToken } from './session';

export async function changePassword(
  userId: string,
  sessionId: string,
  newPassword: string,
  now = new Date(),
): Promise<{ refreshToken: IssuedRefreshToken; otherSessionsEnded: number }> {
  const passwordHash = await hashPassword(newPassword);
  const reissue = reissueRefreshTokenOperations(sessionId, now);
  const [, , endedSessions, , , session] = await db().$transaction([
    db().user.update({ where: { id: userId }, data: { passwordHash, passwordChangedAt: now } }),
    ...revokeSessionsOperations({ userId, id: { not: sessionId } }, 'password_changed', now),
    ...reissue.operations,
  ]);
  return {
    refreshToken: { token: reissue.token, expiresAt: session.expiresAt },
    otherSessionsEnded: endedSessions.count,
  };
}
