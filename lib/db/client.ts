/**
 * The Prisma client: one per process, created on first use (never on import, so importing a module
 * costs nothing and tests can point DATABASE_URL at their own file first). Kept on `globalThis` so dev
 * reloads do not open a new SQLite connection each time.
 */
import 'server-only';
import { PrismaClient } from '../generated/prisma/client';
import { getConfig } from '../proxy-safe/config';
import { createSqliteAdapter } from './sqlite-adapter';

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

export function db(): PrismaClient {
  globalForPrisma.prisma ??= createClient(getConfig().DATABASE_URL);
  return globalForPrisma.prisma;
}

function createClient(url: string): PrismaClient {
  return new PrismaClient({ adapter: createSqliteAdapter(url) });
}

export type { PrismaClient };
