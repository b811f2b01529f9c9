/**
 * Prisma's schema engine compiled to WebAssembly (`@prisma/schema-engine-wasm`), run in this process
 * over the app's own driver adapters: the workaround for `prisma migrate`, whose native engine cannot
 * be had here. Loading it, one command per engine, and the fixes between the engine and the adapters:
 * docs/decisions/0070-migrations-without-the-native-engine.md says why each is needed.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import {
  bindMigrationAwareSqlAdapterFactory,
  isDriverAdapterError,
  type ErrorRegistry,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { databaseProvider } from '../../lib/config/database-url';
import { PostgresEngineFactory } from './schema-engine-postgres';

/** A private in-memory SQLite database: where the engine opens its main database when it need not read one. */
export const IN_MEMORY = ':memory:';

type GlueModule = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');
let engineClass: Promise<typeof SchemaEngine> | undefined;

/**
 * Instantiates the WebAssembly once per process, doing what a bundler would for the package's
 * `import * as wasm from './schema_engine_bg.wasm'`, which Node cannot import. Once is required: the
 * glue keeps the instance in a module variable, so a second one would pull the memory from under a live engine.
 */
function loadSchemaEngine(): Promise<typeof SchemaEngine> {
  engineClass ??= (async () => {
    // By absolute file URL: tsx may evaluate this file from a data: URL, against which a bare specifier cannot resolve.
    const gluePath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue: GlueModule = await import(pathToFileURL(gluePath).href);
    // The package's exports map hides the .wasm file; it sits next to the glue.
    const bytes = await readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue.SchemaEngine;
  })();
  return engineClass;
}

/**
 * Runs one engine command against the database, then frees the engine and closes every connection it
 * opened: its SQLite connection runs in locking_mode=EXCLUSIVE, so until it closes no one else can use the file.
 */
export async function withEngine<T>(databaseUrl: string, command: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const SchemaEngineWasm = await loadSchemaEngine();
  const sqlite = databaseUrl === IN_MEMORY || databaseProvider(databaseUrl) === 'sqlite';
  const factory = new EngineAdapterFactory(sqlite ? new PrismaBetterSqlite3({ url: databaseUrl }) : new PostgresEngineFactory(databaseUrl));
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  let engine: SchemaEngine | undefined;
  try {
    engine = await SchemaEngineWasm.new({ datamodels: undefined }, engineLog, bound);
    return await command(engine);
  } catch (error) {
    throw engineError(error, bound.errorRegistry);
  } finally {
    engine?.free();
    await factory.disposeAll();
  }
}

/** The engine's log lines: silent unless asked for, like the CLI's `DEBUG=prisma:schemaEngine*`. */
function engineLog(line: string): void {
  if (process.env.DEBUG?.includes('prisma:schemaEngine')) console.error('[schema-engine]', line);
}

/**
 * An engine failure as a message a person can act on: an adapter's original error in place of
 * "External error id#N", the Rust span trace cut off (but the failing migration's name kept), Prisma's
 * error code (P3009...) in front. The engine's own error stays as `cause`.
 */
function engineError(error: unknown, registry: ErrorRegistry): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const [head = '', trace = ''] = error.message
    .replace(/External error id#(\d+)/g, (text, id: string) => {
      const original = registry.consumeError(Number(id))?.error;
      return original instanceof Error ? original.message : text;
    })
    .split(/\n(?=\s+0: )/);
  let message = head.trim();
  const migration = /migration_name="([^"]+)"/.exec(trace)?.[1];
  if (migration !== undefined && !message.includes(migration)) message = `migration ${migration} failed: ${message}`;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') message = `${code}: ${message}`;
  return new Error(message, { cause: error });
}

/** The app's adapter factory, remembering every connection it opened (to close them) and adapting each for the engine. */
class EngineAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider: SqlMigrationAwareDriverAdapterFactory['provider'];
  readonly adapterName: string;
  readonly #inner: SqlMigrationAwareDriverAdapterFactory;
  readonly #opened: SqlDriverAdapter[] = [];

  constructor(inner: SqlMigrationAwareDriverAdapterFactory) {
    this.#inner = inner;
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    return this.#track(adaptForEngine(await this.#inner.connect()));
  }

  /** SQLite: a private :memory: database. PostgreSQL: a throwaway database on the same server (schema-engine-postgres.ts). */
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    return this.#track(adaptForEngine(await this.#inner.connectToShadowDb()));
  }

  async disposeAll(): Promise<void> {
    // The engine may have closed one already: a second close is harmless (SQLite) or refused (pg, already closed).
    await Promise.all(this.#opened.splice(0).map((adapter) => adapter.dispose().catch(() => {})));
  }

  #track(adapter: SqlDriverAdapter): SqlDriverAdapter {
    this.#opened.push(adapter);
    return adapter;
  }
}

/**
 * Two mismatches between the engine and the better-sqlite3 adapter, fixed at the connection: a
 * migration file replayed in one `executeRaw` is run as a script instead (better-sqlite3 refuses several
 * statements before running any, so the retry runs it once); SQLITE_BUSY, reported with an error kind
 * this engine cannot deserialise, becomes a plain Error that says what to do.
 */
function adaptForEngine(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const clearBusy = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (isDriverAdapterError(error) && error.cause.kind === 'SocketTimeout') {
        // The engine holds the database exclusively (locking_mode=EXCLUSIVE, as `prisma migrate` does);
        // in WAL mode any other open connection, even an idle one, prevents that.
        throw new Error(
          'database is locked: another connection has it open (a running dev server, a test, a script?). ' +
            'Migrations need it to themselves: close that connection and retry.',
          { cause: error },
        );
      }
      throw error;
    }
  };

  const executeRaw = (query: SqlQuery): Promise<number> =>
    clearBusy(async () => {
      try {
        return await adapter.executeRaw(query);
      } catch (error) {
        const multiStatement =
          error instanceof RangeError && error.message.includes('more than one statement') && query.args.length === 0;
        if (!multiStatement) throw error;
        await adapter.executeScript(query.sql);
        return 0;
      }
    });

  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => clearBusy(() => adapter.queryRaw(query)),
    executeRaw,
    executeScript: (script) => clearBusy(() => adapter.executeScript(script)),
    startTransaction: (isolationLevel) => clearBusy(() => adapter.startTransaction(isolationLevel)),
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    dispose: () => adapter.dispose(),
  };
}
