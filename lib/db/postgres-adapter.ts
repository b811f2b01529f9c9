/**
 * Prisma's PostgreSQL driver adapter over a node-postgres pool: the deployment for several app
 * instances (README, "Scaling out"). Each interactive transaction takes a connection of its own from
 * the pool, so unlike SQLite (lib/db/sqlite-adapter.ts) nothing needs serialising in the process:
 * PostgreSQL's row locks decide between concurrent writers, in this process or another.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';

export function createPostgresAdapter(url: string, poolSize: number): SqlDriverAdapterFactory {
  return new PrismaPg({
    connectionString: url,
    max: poolSize,
    // A request waits this long for a free connection, then fails (and the caller answers 503),
    // rather than queueing without bound while the database is down or every connection is busy.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
}
