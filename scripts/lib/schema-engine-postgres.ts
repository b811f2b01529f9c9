/**
 * The pg adapter factory the schema engine (schema-engine.ts) runs on for PostgreSQL, with two fixes
 * the engine needs: a shadow database of its own, and PostgreSQL's `"char"` catalog columns readable.
 * Why: docs/decisions/0070-migrations-without-the-native-engine.md.
 */
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';

/**
 * The shadow database is a uniquely named database on the same server, with its own pool; on disposal
 * the pool is closed first, then the database dropped (the adapter's own `connectToShadowDb` reuses the
 * real database when given a URL, and drops before closing, which PostgreSQL refuses).
 */
export class PostgresEngineFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName: string;
  readonly #config: pg.PoolConfig;
  readonly #main: PrismaPg;

  constructor(databaseUrl: string) {
    this.#config = { ...parseIntoClientConfig(databaseUrl), max: 2, Client: CatalogReadingClient };
    this.#main = new PrismaPg(this.#config);
    this.adapterName = this.#main.adapterName;
  }

  connect(): Promise<SqlDriverAdapter> {
    return this.#main.connect();
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const database = `prisma_migrate_shadow_db_${randomUUID().replaceAll('-', '')}`;
    await this.#admin(`CREATE DATABASE "${database}"`);
    const shadow = await new PrismaPg({ ...this.#config, database }).connect();
    let disposed: Promise<void> | undefined;
    const dispose = () =>
      (disposed ??= (async () => {
        await shadow.dispose();
        await this.#admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      })());
    return Object.assign(Object.create(shadow) as SqlDriverAdapter, { dispose });
  }

  /** One statement on a connection of its own (CREATE and DROP DATABASE cannot run in a pool's transaction). */
  async #admin(sql: string): Promise<void> {
    const client = new pg.Client(this.#config);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}

/**
 * The engine reads `pg_class`, `pg_attribute` and friends, whose `relkind`, `attidentity` and similar
 * columns have the one-byte type `"char"` (OID 18), which the pg adapter refuses to map. Its value is a
 * one-character string, so the field is reported as `text` (OID 25); only the type label changes.
 */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

class CatalogReadingClient extends pg.Client {
  // The adapter awaits the pool's query(), which calls this with a callback last; the promise form is covered too.
  override query(...args: unknown[]): never {
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (error: unknown, result: unknown) => void;
      args[last] = (error: unknown, result: unknown) => callback(error, error ? result : reportCharAsText(result));
    }
    const result = (super.query as (...a: unknown[]) => unknown).apply(this, args);
    return (result instanceof Promise ? result.then(reportCharAsText) : result) as never;
  }
}

function reportCharAsText<T>(result: T): T {
  for (const field of (result as { fields?: { dataTypeID: number }[] }).fields ?? []) {
    if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
  }
  return result;
}
