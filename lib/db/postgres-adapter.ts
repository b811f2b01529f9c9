/**
 * Prisma's PostgreSQL driver adapter over a node-postgres pool: the deployment for several app
 * instances (README, "Scaling out"). Each interactive transaction takes a connection of its own from
 * the pool, so unlike SQLite (lib/db/sqlite-adapter.ts) nothing needs serialising in the process:
 * PostgreSQL's row locks decide between concurrent writers, in this process or another. Statements are
 * prepared once per connection under a name: docs/decisions/0092-postgres-named-statements.md.
 */
import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';

/** How many distinct statements get a name; any further one is sent unnamed (parsed each time), as before. */
export const MAX_NAMED_STATEMENTS = 1_000;

/**
 * A statement's name: the same for the same SQL text (a digest of it), so each connection parses and
 * plans it once and then only binds and executes it. Null beyond `max` distinct texts, which keeps what
 * each connection holds on the server bounded whatever SQL the app generates.
 */
export function statementNamer(max = MAX_NAMED_STATEMENTS): (sql: string) => string | null {
  const names = new Map<string, string>();
  return (sql) => {
    let name = names.get(sql);
    if (name === undefined) {
      if (names.size >= max) return null;
      name = `prisma_${createHash('sha256').update(sql).digest('base64url')}`;
      names.set(sql, name);
    }
    return name;
  };
}

export function createPostgresAdapter(url: string, poolSize: number): SqlDriverAdapterFactory {
  const nameOf = statementNamer();
  return new PrismaPg(
    {
      connectionString: url,
      max: poolSize,
      // A request waits this long for a free connection, then fails (and the caller answers 503),
      // rather than queueing without bound while the database is down or every connection is busy.
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    },
    // node-postgres sends a query without a name as an unnamed statement, parsed and planned anew.
    { statementNameGenerator: (query) => nameOf(query.sql) ?? (undefined as unknown as string) },
  );
}
