/**
 * The one place a typed password is checked, with separate limits: `checkPassword` for anonymous
 * sign-in, per email; `checkPasswordInSession` for step-up and password change, per account in a count
 * of its own, so anonymous guesses cannot lock the owner out and more sessions give no more guesses
 * (ASVS 6.3.1). A correct anonymous sign-in clears the in-session count too.
 * Why: docs/decisions/0052-attempt-limits.md.
 */
import 'server-only';
import { db } from '../db/client';
import type { SessionUser } from './user';
import { getDummyPasswordHash, hashPassword, needsRehash, undoIfHasherBusy, verifyPassword } from './password-hashing';
import {
  clearAttempts,
  clearSessionPasswordAttempts,
  releaseAttempt,
  reservePasswordAttempt,
  reserveSessionPasswordAttempt,
  type AttemptReservation,
} from '../limits/rate-limit';

export type PasswordCheck =
  | { ok: true; user: SessionUser }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/**
 * Proof that the password was typed, and matched, in this request and this session. Only this module
 * makes one (`checkPasswordInSession`); the checked path lets an action issue session cookies only
 * with one (lib/sensitive-actions/checked-action.ts `allowSessionCookies`).
 */
export type PasswordTyped = { readonly userId: string; readonly sessionId: string };

const typedPasswords = new WeakSet<PasswordTyped>();

/** True only for a proof `checkPasswordInSession` made, for this very user and session. */
export function provesPasswordTyped(proof: PasswordTyped, signedIn: { userId: string; sessionId: string }): boolean {
  return typedPasswords.has(proof) && proof.userId === signedIn.userId && proof.sessionId === signedIn.sessionId;
}

export type SessionPasswordCheck =
  | { ok: true; user: SessionUser; typed: PasswordTyped }
  | Extract<PasswordCheck, { ok: false }>;

type StoredUser = SessionUser & { passwordHash: string };

export async function checkPassword(email: string, password: string, now = new Date()): Promise<PasswordCheck> {
  const reservation = await reservePasswordAttempt(email, now);
  if (!reservation.ok) return throttled(reservation);
  const user = await db().user.findUnique({ where: { email }, select: { id: true, email: true, passwordHash: true } });
  const check = await verifyAgainst(user, password, reservation);
  // The owner proved the password: a lock a thief's guesses put on the account's sessions lifts.
  if (check.ok) await clearSessionPasswordAttempts(check.user.id);
  return check;
}

/** For a signed-in session: the account's own limit, untouched by (and not touching) the email's sign-in lock. */
export async function checkPasswordInSession(
  signedIn: { userId: string; sessionId: string },
  password: string,
  now = new Date(),
): Promise<SessionPasswordCheck> {
  const reservation = await reserveSessionPasswordAttempt(signedIn.userId, now);
  if (!reservation.ok) return throttled(reservation);
  const user = await db().user.findUnique({
    where: { id: signedIn.userId },
    select: { id: true, email: true, passwordHash: true },
  });
  const check = await verifyAgainst(user, password, reservation);
  if (!check.ok) return check;
  // Frozen and remembered here: nothing outside this module can make or alter a proof.
  const typed: PasswordTyped = Object.freeze({ userId: signedIn.userId, sessionId: signedIn.sessionId });
  typedPasswords.add(typed);
  return { ...check, typed };
}

function throttled(reservation: Extract<AttemptReservation, { ok: false }>): Extract<PasswordCheck, { ok: false }> {
  return { ok: false, reason: 'throttled', retryAfterSeconds: reservation.retryAfterSeconds };
}

async function verifyAgainst(
  user: StoredUser | null,
  password: string,
  reservation: Extract<AttemptReservation, { ok: true }>,
): Promise<PasswordCheck> {
  // Same work whether or not the account exists: an unknown email costs one Argon2 verification too.
  // A full hashing queue is no attempt at all: the reservation is given back.
  const matches = await undoIfHasherBusy(
    verifyPassword(user?.passwordHash ?? (await getDummyPasswordHash()), password),
    () => releaseAttempt(reservation),
  );
  if (!user || !matches) return { ok: false, reason: 'invalid_credentials' };

  await clearAttempts(reservation);
  if (needsRehash(user.passwordHash)) {
    await db().user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(password) } });
  }
  return { ok: true, user: { id: user.id, email: user.email } };
}
