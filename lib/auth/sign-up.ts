/**
 * Account creation without account enumeration. A new email and an already-registered one get the same
 * answer, after the same work (one Argon2 hash each), so signup cannot be used to learn who has an
 * account. For an existing email nothing changes; its owner sees the attempt in their activity log.
 * A production app would email the address instead ("finish signing up" or "you already have an
 * account"); this demo has no mail server, so the person is simply asked to sign in.
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import type { RequestMeta } from '../http/request-meta';
import { db } from '../db/client';
import { Prisma } from '../generated/prisma/client';
import { hashPassword } from './password-hashing';

export async function signUp(email: string, password: string, meta: RequestMeta, now = new Date()): Promise<void> {
  const passwordHash = await hashPassword(password);
  try {
    const user = await db().user.create({ data: { email, passwordHash, createdAt: now, passwordChangedAt: now } });
    await recordSecurityEvent({ type: 'signup', userId: user.id, meta, now });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
    const existing = await db().user.findUnique({ where: { email }, select: { id: true } });
    if (existing) await recordSecurityEvent({ type: 'signup_existing_email', userId: existing.id, meta, now });
  }
}
