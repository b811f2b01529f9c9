/**
 * The demo users. Idempotent and never destructive: a user that already exists is left exactly as it
 * is (password, balance and history included), so seeding twice changes nothing.
 */
import { db } from '../../lib/db/client';
import { hashPassword } from '../../lib/auth/password-hashing';

export const DEMO_PASSWORD = 'correct horse battery staple';
export const DEMO_USERS = ['alice@example.com', 'bob@example.com'] as const;
/** 1,000.00. Only seeded users get an opening balance; accounts created by signup start at zero. */
export const DEMO_OPENING_BALANCE_CENTS = 100_000;

/** Adds the users that are missing, each with the demo password and opening balance. */
export async function seedDemoUsers(emails: readonly string[] = DEMO_USERS): Promise<string[]> {
  const created: string[] = [];
  let passwordHash: string | undefined;
  for (const email of emails) {
    const existing = await db().user.findUnique({ where: { email }, select: { id: true } });
    if (existing) continue;
    passwordHash ??= await hashPassword(DEMO_PASSWORD);
    await db().user.create({ data: { email, passwordHash, balanceCents: DEMO_OPENING_BALANCE_CENTS } });
    created.push(email);
  }
  return created;
}
