/**
 * Real database faults for integration tests, on whichever database the suite runs against
 * (tests/helpers/database.ts, TEST_DATABASE_PROVIDER):
 *
 * - `withDatabaseUnavailable`: this process's Prisma client is replaced by one that cannot reach its
 *   database, the way a lost volume or a database server gone away looks to the app. On SQLite the
 *   file is under a directory that does not exist; on PostgreSQL the server is a loopback port that
 *   nothing listens on (the connection is refused).
 * - `refuseStatements`: the database itself refuses one kind of statement with an error, the way a full
 *   disk or a broken table does, while everything else keeps working. Both databases do it with a
 *   trigger, each in its own dialect: SQLite's `RAISE(ABORT, ...)`, PostgreSQL's PL/pgSQL function that
 *   raises an exception.
 */
import { randomUUID } from 'node:crypto';
import { db, createPrismaClient, type PrismaClient } from '../../lib/db/client';
import { freePort } from '../../scripts/lib/local-server';
import { TEST_DATABASE_PROVIDER } from './database';

const holder = globalThis as unknown as { prisma?: PrismaClient };

/** Runs `work` while every database call of this process fails: the database cannot be reached. */
export async function withDatabaseUnavailable<T>(work: () => Promise<T>): Promise<T> {
  const real = db();
  const broken = createPrismaClient(await unreachableDatabaseUrl());
  holder.prisma = broken;
  try {
    return await work();
  } finally {
    holder.prisma = real;
    await broken.$disconnect().catch(() => undefined);
  }
}

/** A database URL of the suite's kind that cannot be opened. */
async function unreachableDatabaseUrl(): Promise<string> {
  if (TEST_DATABASE_PROVIDER === 'sqlite') return 'file:/nonexistent-volume/sessions/app.db';
  return `postgresql://postgres@127.0.0.1:${await freePort()}/sessions`;
}

export type StatementRefusal = {
  /** The statement refused: inserts into, or updates of `column` in, `table`. */
  table: string;
  operation: 'INSERT' | { updateOf: string };
  /**
   * Which rows: a condition on `NEW` (and `OLD` for updates). Quote identifiers with double quotes
   * (`NEW."type" = 'logout'`): that is valid SQL for both databases.
   */
  when: string;
  /** The error the database reports. */
  message: string;
};

/**
 * Makes the database refuse the statements `refusal` describes, inside the database: the statement fails
 * with an error and whatever transaction it belongs to cannot commit it. Returns the undo.
 */
export async function refuseStatements(refusal: StatementRefusal): Promise<() => Promise<void>> {
  const name = `refuse_${randomUUID().replaceAll('-', '')}`;
  const event = refusal.operation === 'INSERT' ? 'INSERT' : `UPDATE OF "${refusal.operation.updateOf}"`;
  const message = refusal.message.replaceAll("'", "''");
  const statements =
    TEST_DATABASE_PROVIDER === 'sqlite'
      ? {
          create: [
            `CREATE TRIGGER ${name} BEFORE ${event} ON "${refusal.table}" WHEN ${refusal.when} ` +
              `BEGIN SELECT RAISE(ABORT, '${message}'); END`,
          ],
          drop: [`DROP TRIGGER ${name}`],
        }
      : {
          create: [
            `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ ` +
              `BEGIN RAISE EXCEPTION '${message}'; END $$`,
            `CREATE TRIGGER ${name} BEFORE ${event} ON "${refusal.table}" FOR EACH ROW WHEN (${refusal.when}) ` +
              `EXECUTE FUNCTION ${name}()`,
          ],
          drop: [`DROP TRIGGER ${name} ON "${refusal.table}"`, `DROP FUNCTION ${name}()`],
        };
  for (const sql of statements.create) await db().$executeRawUnsafe(sql);
  return async () => {
    for (const sql of statements.drop) await db().$executeRawUnsafe(sql);
  };
}
