/**
 * Prisma's better-sqlite3 adapter with its one connection made safe to share: every query and every
 * whole transaction waits in one queue per connection, because the adapter lets a query outside a
 * transaction run between another request's `BEGIN` and `COMMIT`. One rule follows for every
 * interactive transaction: inside `db().$transaction(async (tx) => ...)` use `tx`, never `db()`, which
 * would wait for the very transaction waiting for it. Why: docs/decisions/0054-sqlite-connection-queue.md.
 */
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, Transaction } from '@prisma/driver-adapter-utils';

/** How long a write waits for another process's lock before failing (better-sqlite3's busy timeout). */
const BUSY_TIMEOUT_MS = 5_000;

export function createSqliteAdapter(url: string): SqlDriverAdapterFactory {
  const factory = new PrismaBetterSqlite3({ url, timeout: BUSY_TIMEOUT_MS });
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => serialize(await factory.connect()),
  };
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
