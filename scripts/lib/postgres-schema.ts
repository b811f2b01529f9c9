/**
 * The PostgreSQL schema is derived from `prisma/schema.prisma`, never edited by hand: Prisma fixes the
 * provider per schema file (a generated client speaks one SQL dialect), so the PostgreSQL deployment
 * needs its own file and its own generated client, and deriving it is what keeps the two models from
 * drifting apart. Only two lines differ: the datasource's provider and the client's output directory.
 * `npm run setup` rewrites the file when schema.prisma changed; tests/integration/migrations-in-step.test.ts fails
 * if the committed copy is stale.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SQLITE_SCHEMA_PATH = path.join(PROJECT_ROOT, 'prisma', 'schema.prisma');
export const POSTGRES_SCHEMA_PATH = path.join(PROJECT_ROOT, 'prisma', 'postgresql', 'schema.prisma');
export const SQLITE_MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'migrations');
export const POSTGRES_MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'postgresql', 'migrations');

const HEADER = `// GENERATED from ../schema.prisma by scripts/lib/postgres-schema.ts (npm run setup). Do not edit:
// change ../schema.prisma, run \`npm run setup\`, and add the migration for both databases
// (\`npm run db:migrate:new -- <name>\`).
`;

export function postgresSchemaFrom(sqliteSchema: string): string {
  const replaceOnce = (text: string, pattern: RegExp, replacement: string) => {
    if (!pattern.test(text)) throw new Error(`prisma/schema.prisma: expected to find ${pattern}`);
    return text.replace(pattern, replacement);
  };
  let schema = replaceOnce(sqliteSchema, /^(\s*provider\s*=\s*)"sqlite"/m, '$1"postgresql"');
  schema = replaceOnce(schema, /^(\s*output\s*=\s*)"\.\.\/lib\/generated\/prisma"/m, '$1"../../lib/generated/prisma-postgresql"');
  return HEADER + schema;
}

/**
 * Rewrite prisma/postgresql/schema.prisma if it is not what schema.prisma derives; true if it was.
 * With `checkOnly` (CI) a stale file is an error instead: CI tests what was committed.
 */
export function writePostgresSchema({ checkOnly = false } = {}): boolean {
  const wanted = postgresSchemaFrom(readFileSync(SQLITE_SCHEMA_PATH, 'utf8'));
  if (existsSync(POSTGRES_SCHEMA_PATH) && readFileSync(POSTGRES_SCHEMA_PATH, 'utf8') === wanted) return false;
  if (checkOnly) {
    throw new Error('prisma/postgresql/schema.prisma is stale: run `npm run setup` and commit it with its migration');
  }
  writeFileSync(POSTGRES_SCHEMA_PATH, wanted);
  return true;
}
