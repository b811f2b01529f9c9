// @ts-check
/**
 * Counts what an app server asks of its database, from inside the server: `npm run bench` loads this
 * file into its app servers with `node --require` (rotation-counts.ts), so no build and no line of
 * lib/ carries it. It patches the two drivers the builds load from node_modules: every SQL statement
 * executed (better-sqlite3 and pg, by its first keyword) and, for pg, the round trips seen on each
 * connection's socket (a write after the last read is one more wait for the server). The benchmark
 * reads the totals over a unix socket (BENCH_DATABASE_COUNTS_SOCKET) before and after a scenario.
 */
const { createRequire } = require('node:module');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

/**
 * Totals since the server started. `requests`: HTTP requests answered (the denominator, counted by the
 * server rather than the load generator, which does not see the answers cut off when a run stops);
 * `inFlight`: requests still being answered.
 * @typedef {{ requests: number, inFlight: number, statements: number, byKind: Record<string, number>, prepares: number, roundTrips: number, connections: number, connectionRoundTrips: number }} DatabaseCounts
 */

/** @returns {DatabaseCounts} */
function emptyCounts() {
  return { requests: 0, inFlight: 0, statements: 0, byKind: {}, prepares: 0, roundTrips: 0, connections: 0, connectionRoundTrips: 0 };
}

/** A statement's kind: its first keyword, upper case (`SELECT`, `BEGIN`, `COMMIT`...). */
function statementKind(/** @type {string} */ sql) {
  const match = /^\s*(?:--[^\n]*\n\s*)*([A-Za-z]+)/.exec(sql);
  return match ? match[1].toUpperCase() : 'OTHER';
}

/** Adds one executed statement to `counts`. */
function countStatement(/** @type {DatabaseCounts} */ counts, /** @type {string} */ sql) {
  counts.statements += 1;
  const kind = statementKind(sql);
  counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
}

/**
 * Round trips on one connection, seen as turns: the client's first write after it last received
 * something starts a round trip; writes in a row (a message split over several writes, or several
 * messages sent before waiting) are one. `wrote()` says whether this write started one.
 */
function turnCounter() {
  let waiting = false;
  return {
    wrote() {
      const started = !waiting;
      waiting = true;
      return started;
    },
    received() {
      waiting = false;
    },
  };
}

/** Counts every request an HTTP server in this process answers. */
function instrumentHttp(/** @type {DatabaseCounts} */ counts) {
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (/** @type {string} */ event, /** @type {any[]} */ ...args) {
    if (event === 'request') {
      counts.inFlight += 1;
      args[1].once('close', () => {
        counts.inFlight -= 1;
        counts.requests += 1;
      });
    }
    return emit.apply(this, /** @type {any} */ ([event, ...args]));
  };
}

/** @param {DatabaseCounts} counts @param {any} pg the `pg` module */
function instrumentPg(counts, pg) {
  const Client = pg.Client;
  const query = Client.prototype.query;
  Client.prototype.query = function (/** @type {any} */ config, /** @type {any[]} */ ...rest) {
    const text = typeof config === 'string' ? config : config?.text;
    if (typeof text === 'string') countStatement(counts, text);
    return query.call(this, config, ...rest);
  };
  const connect = Client.prototype.connect;
  Client.prototype.connect = function (/** @type {any[]} */ ...args) {
    counts.connections += 1;
    const connection = this.connection;
    const socket = connection.stream;
    // The start-up exchange (authentication, parameters) counts apart, until the first ReadyForQuery.
    let ready = false;
    connection.once('readyForQuery', () => (ready = true));
    const turns = turnCounter();
    // Wrapped once connected: Node sets the socket's own `write` while it connects.
    socket.once('connect', () => {
      const write = socket.write;
      socket.write = function (/** @type {any[]} */ ...writeArgs) {
        if (turns.wrote()) {
          if (ready) counts.roundTrips += 1;
          else counts.connectionRoundTrips += 1;
        }
        return write.apply(this, writeArgs);
      };
    });
    socket.on('data', () => turns.received());
    return connect.apply(this, args);
  };
}

/** @param {DatabaseCounts} counts @param {any} Database the `better-sqlite3` module */
function instrumentBetterSqlite3(counts, Database) {
  const prepare = Database.prototype.prepare;
  /** @type {Set<object>} */
  const patched = new Set();
  Database.prototype.prepare = function (/** @type {string} */ source) {
    counts.prepares += 1;
    const statement = prepare.call(this, source);
    const proto = Object.getPrototypeOf(statement);
    if (!patched.has(proto)) {
      patched.add(proto);
      for (const method of ['run', 'get', 'all', 'iterate']) {
        const original = proto[method];
        proto[method] = function (/** @type {any[]} */ ...args) {
          countStatement(counts, this.source);
          return original.apply(this, args);
        };
      }
    }
    return statement;
  };
  const exec = Database.prototype.exec;
  Database.prototype.exec = function (/** @type {string} */ source) {
    countStatement(counts, source);
    return exec.call(this, source);
  };
}

/**
 * In a server started with BENCH_DATABASE_COUNTS_SOCKET (elsewhere, e.g. imported by a test, nothing):
 * patch the drivers as the app will load them, and answer the totals on that socket.
 */
function install() {
  const socketPath = process.env.BENCH_DATABASE_COUNTS_SOCKET;
  if (!socketPath) return;
  const counts = emptyCounts();
  const fromApp = createRequire(path.join(process.cwd(), 'package.json'));
  instrumentHttp(counts);
  instrumentPg(counts, fromApp('pg'));
  instrumentBetterSqlite3(counts, fromApp('better-sqlite3'));
  const server = net.createServer((socket) => socket.end(JSON.stringify(counts)));
  // The server is measured, not stopped, when its counts cannot be answered: the benchmark then says so.
  server.on('error', (error) => process.stderr.write(`database-counter: ${error.message}\n`));
  server.listen(socketPath);
  server.unref();
}

module.exports = { emptyCounts, statementKind, countStatement, turnCounter, instrumentPg, instrumentBetterSqlite3 };

install();
