/**
 * Account creation without account enumeration: a new email and an already-registered one get the same
 * answer after the same work (one Argon2 hash, the same database operations in the same order). For an
 * existing email nothing changes; its owner sees the attempt in their activity log. Every signup counts
 * toward its client IP's limit. Why, and what a production app would do instead:
 * docs/decisions/0057-no-account-enumeration.md.
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
