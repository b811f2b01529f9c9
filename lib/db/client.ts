/**
 * The Prisma client: one per process, created on first use (never on import) and kept on `globalThis`
 * so dev reloads do not open new connections. DATABASE_URL picks SQLite (`file:`) or PostgreSQL
 * (lib/config/database-url.ts); the two generated clients come from one model and share one query API,
 * so the rest of the code never asks which database it talks to.
 * Why: docs/decisions/0055-one-model-two-clients.md.
 */
import 'server-only';
import { type Prisma, PrismaClient } from '../generated/prisma/client';
import { PrismaClient as PostgresPrismaClient } from '../generated/prisma-postgresql/client';
import { getConfig } from '../config/config';
import { databaseProvider } from '../config/database-url';
import { createPostgresAdapter } from './postgres-adapter';
import { createSqliteAdapter } from './sqlite-adapter';

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

export function db(): PrismaClient {
  globalForPrisma.prisma ??= createPrismaClient(getConfig().DATABASE_URL);
  return globalForPrisma.prisma;
}

/**
 * A new client for the database `url` names, SQLite or PostgreSQL. `db()` makes its one client with
 * this; tests make their own (one that logs its statements, one aimed at a database that cannot be
 * reached), and the benchmark one per deployment (scripts/bench/deployments.ts), without repeating
 * which class and adapter each database needs. The pool size (PostgreSQL only) defaults to
 * DATABASE_POOL_SIZE.
 */
export function createPrismaClient<Log extends Prisma.LogLevel = never>(
  url: string,
  options: { poolSize?: number; log?: { emit: 'event'; level: Log }[] } = {},
): PrismaClient<Log> {
  const { poolSize = getConfig().DATABASE_POOL_SIZE, log } = options;
  if (databaseProvider(url) === 'postgresql') {
    // Same models, same generated query API: the PostgreSQL client's type differs from SQLite's only in
    // filters this code never uses (case-insensitive `mode`, full-text search).
    return new PostgresPrismaClient({ adapter: createPostgresAdapter(url, poolSize), log }) as unknown as PrismaClient<Log>;
  }
  return new PrismaClient({ adapter: createSqliteAdapter(url), log }) as unknown as PrismaClient<Log>;
}

export type { PrismaClient };
