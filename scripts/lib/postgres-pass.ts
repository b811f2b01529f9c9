/**
 * Which integration test files run a second time, on PostgreSQL (`npm run test:postgres`). The rule,
 * and why (docs/decisions/0085-postgres-pass-files.md): every file that uses the test database runs
 * there, unless it says in a line of its own `// database: sqlite-only — <why>` that the database only
 * holds its fixtures and what it proves is decided in JavaScript. So a new file runs on both by
 * default, and a file leaves the PostgreSQL pass only by stating why.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const INTEGRATION_DIR = 'tests/integration';
const HELPERS_DIR = 'tests/helpers';

/** The opt-out line, with its reason after a dash. */
export const SQLITE_ONLY = /^\/\/ database: sqlite-only\b(.*)$/m;

/**
 * What a file may not opt out with: it proves something the two databases do differently (an
 * explicit transaction, hand-written SQL, processes racing on one database, a fault injected inside
 * the database, keyset pagination). A backstop for the rule, not the rule itself.
 */
export const DATABASE_BEHAVIOUR = /\$transaction\b|\$queryRaw|\$executeRaw|raceInProcesses|helpers\/database-faults|\bcursor:/;

export type PostgresPass = {
  /** Every integration file that uses the test database (directly or through a helper). */
  databaseFiles: string[];
  /** The ones that run on PostgreSQL too. */
  files: string[];
  /** The ones that run on SQLite only, each with its stated reason. */
  sqliteOnly: { file: string; reason: string }[];
};

/** Files that call useTestDatabase(), or import a helper that does (tests/helpers/duplicated-access-cookies.ts). */
function usesTestDatabase(source: string, helpersUsingIt: string[]): boolean {
  return source.includes('useTestDatabase(') || helpersUsingIt.some((helper) => source.includes(`'../helpers/${helper}'`));
}

export function postgresPass(root = process.cwd()): PostgresPass {
  const helpersUsingIt = readdirSync(path.join(root, HELPERS_DIR))
    .filter((name) => name.endsWith('.ts') && name !== 'database.ts')
    .filter((name) => readFileSync(path.join(root, HELPERS_DIR, name), 'utf8').includes('useTestDatabase('))
    .map((name) => name.replace(/\.ts$/, ''));
  const databaseFiles = readdirSync(path.join(root, INTEGRATION_DIR))
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => path.join(INTEGRATION_DIR, name))
    .filter((file) => usesTestDatabase(readFileSync(path.join(root, file), 'utf8'), helpersUsingIt))
    .sort();
  const sqliteOnly = databaseFiles.flatMap((file) => {
    const marker = SQLITE_ONLY.exec(readFileSync(path.join(root, file), 'utf8'));
    if (marker === null) return [];
    const reason = marker[1].replace(/^\s*[—–-]\s*/, '').trim();
    // An unexplained exclusion would quietly shrink the PostgreSQL run: refuse it.
    if (reason === '') throw new Error(`${file}: "// database: sqlite-only" needs a reason: "// database: sqlite-only — <why>"`);
    return [{ file, reason }];
  });
  const files = databaseFiles.filter((file) => !sqliteOnly.some((only) => only.file === file));
  return { databaseFiles, files, sqliteOnly };
}
