/**
 * The demo users. Idempotent and never destructive: a user that already exists is left exactly as it
 * is (password, balance and history included), so seeding twice changes nothing.
 */
import { db } from '../../lib/db';
import { hashPassword } from '../../lib/password';

export const DEMO_PASSWORD = 'correct horse battery staple';
export const DEMO_USERS = ['alice@example.com', 'bob@example.com'] as const;

export async function seedDemoUsers(): Promise<string[]> {
  const created: string[] = [];
  for (const email of DEMO_USERS) {
    const existing = await db().user.findUnique({ where: { email }, select: { id: true } });
    if (existing) continue;
    await db().user.create({ data: { email, passwordHash: await hashPassword(DEMO_PASSWORD) } });
    created.push(email);
  }
  return created;
}
