/**
 * The one place a typed password is checked: sign-in, step-up confirmation and password change all
 * come here, so all of them count toward the same per-account limit.
 */
import 'server-only';
import { db } from '../db/client';
import { getDummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './password-hashing';
import { clearPasswordAttempts, reservePasswordAttempt } from '../http/rate-limit';

export type PasswordCheck =
  | { ok: true; user: { id: string; email: string } }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export async function checkPassword(email: string, password: string, now = new Date()): Promise<PasswordCheck> {
  const reservation = await reservePasswordAttempt(email, now);
  if (!reservation.ok) return { ok: false, reason: 'throttled', retryAfterSeconds: reservation.retryAfterSeconds };

  const user = await db().user.findUnique({ where: { email }, select: { id: true, email: true, passwordHash: true } });
  // Same work whether or not the account exists: an unknown email costs one Argon2 verification too.
  const matches = await verifyPassword(user?.passwordHash ?? (await getDummyPasswordHash()), password);
  if (!user || !matches) return { ok: false, reason: 'invalid_credentials' };

  await clearPasswordAttempts(reservation);
  if (needsRehash(user.passwordHash)) {
    await db().user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(password) } });
  }
  return { ok: true, user: { id: user.id, email: user.email } };
}
