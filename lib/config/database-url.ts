/**
 * Which database a `DATABASE_URL` names. The one place that reads the scheme: the app's client
 * (lib/db/client.ts), the migrations (scripts/lib/migrations.ts) and the configuration check all ask here.
 * - `file:<path>`: SQLite, the embedded default, through better-sqlite3.
 * - `postgresql://` or `postgres://`: PostgreSQL, through node-postgres (`pg`).
 * No database code here, so the configuration (which the proxy reads) may import it.
 */
export type DatabaseProvider = 'sqlite' | 'postgresql';

export function databaseProvider(url: string): DatabaseProvider {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  throw new Error('DATABASE_URL must be file:<path> (SQLite) or postgresql://user:password@host:port/database');
}

/** True when `url` names a database this app can open; for the configuration's validation. */
export function isSupportedDatabaseUrl(url: string): boolean {
  try {
    databaseProvider(url);
    return true;
  } catch {
    return false;
  }
}
