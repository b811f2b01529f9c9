/**
 * Prisma's better-sqlite3 adapter with its one connection made safe to share: every query and every
 * whole transaction waits in one queue per connection, because the adapter lets a query outside a
 * transaction run between another request's `BEGIN` and `COMMIT`. One rule follows for every
 * interactive transaction: inside `db().$transaction(async (tx) => ...)` use `tx`, never `db()`, which
 * would wait for the very transaction waiting for it. Why: docs/decisions/0054-sqlite-connection-queue.md.
 * Each SQL text is prepared once per connection and reused (`reusePreparedStatements`):
 * docs/decisions/0094-sqlite-statements-prepared-once.md.
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, Transaction } from '@prisma/driver-adapter-utils';

/** How long a write waits for another process's lock before failing (better-sqlite3's busy timeout). */
const BUSY_TIMEOUT_MS = 5_000;

/** How many distinct SQL texts a connection keeps prepared; any further one is prepared for each use, as before. */
export const MAX_PREPARED_STATEMENTS = 500;

export function createSqliteAdapter(url: string, options: { preparedStatements?: number } = {}): SqlDriverAdapterFactory {
  const factory = new PrismaBetterSqlite3({ url, timeout: BUSY_TIMEOUT_MS });
  const { preparedStatements = MAX_PREPARED_STATEMENTS } = options;
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      // The adapter keeps its better-sqlite3 connection as `client`, for its queries and its transactions'.
      const connection = (adapter as unknown as { client?: StatementSource }).client;
      if (connection && preparedStatements > 0) reusePreparedStatements(connection, preparedStatements);
      return serialize(adapter);
    },
  };
}

/** What Prisma's adapter uses of a better-sqlite3 statement, and of its connection. */
type Statement = {
  readonly reader: boolean;
  columns(): unknown[];
  bind(...args: unknown[]): Statement;
  run(...args: unknown[]): unknown;
  raw(toggle?: boolean): Statement;
  all(...args: unknown[]): unknown[];
};
type StatementSource = { prepare(sql: string): Statement };

/**
 * Prisma's adapter prepares every query again (SQLite parses and plans it each time) and binds the
 * parameters to the statement for good, so a statement cannot be reused as it is. This hands the
 * adapter, for each text, a view of ONE prepared statement whose `bind` only records the parameters,
 * passed again on `run` and `all`. Every call is synchronous: no two uses of a statement overlap.
 */
export function reusePreparedStatements(connection: StatementSource, max: number): void {
  const prepare = connection.prepare.bind(connection);
  const prepared = new Map<string, Statement>();
  connection.prepare = (sql) => {
    let statement = prepared.get(sql);
    if (!statement) {
      if (prepared.size >= max) return prepare(sql);
      statement = prepare(sql);
      prepared.set(sql, statement);
    }
    return boundView(statement, []);
  };
}

function boundView(statement: Statement, args: unknown[]): Statement {
  const view: Statement = {
    get reader() {
      return statement.reader;
    },
    columns: () => statement.columns(),
    bind: (...bound) => boundView(statement, bound),
    run: () => statement.run(...args),
    raw: (toggle = true) => (toggle ? rawView : view),
    all: () => statement.raw(false).all(...args),
  };
  const rawView: Statement = { ...view, all: () => statement.raw(true).all(...args) };
  return view;
}

function serialize(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const lock = createLock();
  const exclusive =
    <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const release = await lock();
      try {
        return await run(...args);
      } finally {
        release();
      }
    };
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: exclusive((query) => adapter.queryRaw(query)),
    executeRaw: exclusive((query) => adapter.executeRaw(query)),
    executeScript: exclusive((script) => adapter.executeScript(script)),
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    dispose: () => adapter.dispose(),
    async startTransaction(isolationLevel) {
      // Held from BEGIN until COMMIT or ROLLBACK: nothing else touches the connection meanwhile.
      const release = await lock();
      try {
        return releasingOnEnd(await adapter.startTransaction(isolationLevel), release);
      } catch (error) {
        release();
        throw error;
      }
    },
  };
}

function releasingOnEnd(transaction: Transaction, release: () => void): Transaction {
  let released = false;
  const releaseOnce = () => {
    if (!released) {
      released = true;
      release();
    }
  };
  return {
    provider: transaction.provider,
    adapterName: transaction.adapterName,
    options: transaction.options,
    queryRaw: (query) => transaction.queryRaw(query),
    executeRaw: (query) => transaction.executeRaw(query),
    createSavepoint: transaction.createSavepoint?.bind(transaction),
    rollbackToSavepoint: transaction.rollbackToSavepoint?.bind(transaction),
    releaseSavepoint: transaction.releaseSavepoint?.bind(transaction),
    commit: () => transaction.commit().finally(releaseOnce),
    rollback: () => transaction.rollback().finally(releaseOnce),
  };
}

/** A FIFO lock: resolves with a release function once every earlier holder has released. */
function createLock(): () => Promise<() => void> {
  let tail: Promise<void> = Promise.resolve();
  return () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const acquired = tail.then(() => release);
    tail = tail.then(() => held);
    return acquired;
  };
}
