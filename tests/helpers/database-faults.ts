/**
 * A real database fault for integration tests: this process's Prisma client is replaced by one whose
 * SQLite file cannot be opened (a path under a directory that does not exist), the way a lost volume
 * looks to the app. Every `db()` call made while `work` runs fails; the real client is put back after.
 */
import { db, type PrismaClient } from '../../lib/db/client';
import { createSqliteAdapter } from '../../lib/db/sqlite-adapter';
import { PrismaClient as GeneratedClient } from '../../lib/generated/prisma/client';

const holder = globalThis as unknown as { prisma?: PrismaClient };

/** Runs `work` while every database call of this process fails the way a missing database file does. */
export async function withDatabaseUnavailable<T>(work: () => Promise<T>): Promise<T> {
  const real = db();
  const broken = new GeneratedClient({ adapter: createSqliteAdapter('file:/nonexistent-volume/sessions/app.db') });
  holder.prisma = broken;
  try {
    return await work();
  } finally {
    holder.prisma = real;
    await broken.$disconnect().catch(() => undefined);
  }
}
