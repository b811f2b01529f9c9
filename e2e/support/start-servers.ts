/**
 * Starts the suite's own `next start` servers (e2e/support/servers.ts) all at once, each after a fresh
 * database, and prints `e2e servers ready` once every one serves /login: playwright.config.ts runs this
 * as its one web server. Playwright starts the web servers of its config one after another; all
 * servers in parallel are ready in the time of the slowest. Playwright ends the whole process group,
 * these servers included, when the run ends. Server errors go to stderr, prefixed with the server's name.
 * A server with `tls` gets its https front (e2e/support/tls-front.ts) in this process once it serves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { KEEP_ALIVE_ARGS, waitUntilServing } from '../../scripts/lib/local-server';
import { E2E_SERVERS, type E2EServer } from './servers';
import { startTlsFront } from './tls-front';

const children: ChildProcess[] = [];

function run(name: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) process.stderr.write(`[${name}] ${line}\n`);
  });
  children.push(child);
  return child;
}

/** Resolves when the database reset exits successfully; rejects with its exit code otherwise. */
function resetDatabase(name: string, env: Record<string, string>): Promise<void> {
  const child = run(`${name} reset`, ['--conditions=react-server', '--import', 'tsx', 'e2e/support/reset-database.ts'], env);
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`resetting ${name}'s database exited with ${code}`)))),
  );
}

async function start(name: string, server: E2EServer, databaseReady: Promise<void>): Promise<void> {
  const { port, env, tls } = server.start!;
  await databaseReady;
  const child = run(name, ['node_modules/next/dist/bin/next', 'start', '--port', String(port), ...KEEP_ALIVE_ARGS], env);
  child.on('exit', (code, signal) => process.stderr.write(`[${name}] next start exited (${signal ?? code})\n`));
  await waitUntilServing(`http://localhost:${port}`, child);
  if (tls) await startTlsFront({ port: tls.port, target: port, certificate: tls.certificate });
}

const { main, short, revocation, revocationPeer, dbsc } = E2E_SERVERS;
const named = Object.entries({ main, short, revocation, revocationPeer, dbsc }).filter(
  (entry): entry is [string, E2EServer] => entry[1]?.start !== undefined,
);
// A server with `resetDatabase: false` shares the database of the one before it (the revocation pair).
const resets = new Map<string, Promise<void>>();
for (const [name, server] of named) {
  const url = server.start!.env.DATABASE_URL!;
  if (server.start!.resetDatabase !== false) resets.set(url, resetDatabase(name, server.start!.env));
}

try {
  await Promise.all(named.map(([name, server]) => start(name, server, resets.get(server.start!.env.DATABASE_URL!) ?? Promise.resolve())));
  console.log(`e2e servers ready: ${named.map(([name, server]) => `${name} ${server.url}`).join(', ')}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
}
