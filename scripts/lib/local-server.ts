/**
 * Starting a `next start` of this checkout on this machine, shared by the e2e suite
 * (e2e/support/servers.ts, e2e/asvs-16-restart.spec.ts), the benchmark (scripts/bench/server.ts) and
 * the screenshots (scripts/screenshots.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * `next start`'s idle keep-alive timeout, as package.json's `start` sets it: longer than the idle
 * timeout of the clients that pool connections to it (nginx's upstream keep-alive, cloud load
 * balancers: 60 s), so a pooled connection is closed by the client, never reused as the server
 * closes it (docs/decisions/0104-keep-alive-outlives-the-clients.md).
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** The arguments that set it, for every `next start` a script or the e2e suite runs. */
export const KEEP_ALIVE_ARGS = ['--keepAliveTimeout', String(KEEP_ALIVE_TIMEOUT_MS)];

/** A port nothing listens on right now: the kernel picks it, so a port taken by another program is never chosen. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Resolves once `${url}/login` answers 200. Throws if `server` exits first or 60 s pass; `output`
 * gives what the server printed, for the error message.
 */
export async function waitUntilServing(url: string, server: ChildProcess, output: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}: ${output()}`);
    const up = await fetch(`${url}/login`).then(
      (response) => response.ok,
      () => false, // not listening yet
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`next start did not serve ${url} within 60 s: ${output()}`);
}
