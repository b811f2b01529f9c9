/**
 * Starting a `next start` of this checkout on this machine, shared by the e2e suite
 * (e2e/support/servers.ts, e2e/asvs-16-restart.spec.ts), the benchmark (scripts/bench/server.ts) and
 * the screenshots (scripts/screenshots.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

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
