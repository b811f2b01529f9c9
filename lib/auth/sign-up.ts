/**
 * Account creation without account enumeration. A new email and an already-registered one get the same
 * answer, after the same work (one Argon2 hash each), so signup cannot be used to learn who has an
 * account. For an existing email nothing changes; its owner sees the attempt in their activity log.
 * A production app would email the address instead ("finish signing up" or "you already have an
 * account"); this demo has no mail server, so the person is simply asked to sign in.
 *
 * Both cases run the same database operations in the same order (insert, look up, log), so not even the
 * number of queries differs, and every signup counts toward its client IP's limit: each one costs an Argon2
 * hash and may add an account and an event row.
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import type { RequestMeta } from '../request/request-meta';
import { db } from '../db/client';
import { Prisma } from '../generated/prisma/client';
import { releaseAttempt, reserveSignupIpAttempt } from '../limits/rate-limit';
import { hashPassword, undoIfHasherBusy } from './password-hashing';

export type SignUpResult = { ok: true } | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export async function signUp(email: string, password: string, meta: RequestMeta, now = new Date()): Promise<SignUpResult> {
  const ipAttempt = await reserveSignupIpAttempt(meta.ipAddress, now);
  if (!ipAttempt.ok) return { ok: false, reason: 'throttled', retryAfterSeconds: ipAttempt.retryAfterSeconds };

  // Refused as busy (a full hashing queue): nothing was created, so it does not count toward the IP's
  // sign-ups.
  const passwordHash = await undoIfHasherBusy(hashPassword(password), () => releaseAttempt(ipAttempt));
  let created = true;
  try {
    await db().user.create({ data: { email, passwordHash, createdAt: now, passwordChangedAt: now } });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
    created = false;
  }
  // Looked up in both cases, rather than taking the new row's id, so both paths issue the same queries.
  const account = await db().user.findUnique({ where: { email }, select: { id: true } });
  if (account) {
    await recordSecurityEvent({ type: created ? 'signup' : 'signup_existing_email', userId: account.id, meta, now });
  }
  return { ok: true };
}
