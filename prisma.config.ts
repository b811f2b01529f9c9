import { existsSync } from 'node:fs';
import { defineConfig } from 'prisma/config';

// Prisma's CLI first tries to download its native schema engine; on machines without network access to
// Prisma's host that fails. `generate`, `validate` and `format` never execute the engine, so pointing the
// variable at any existing file lets them run. A machine with the real engine keeps its own setting.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= existsSync('/bin/sh') ? '/bin/sh' : process.execPath;

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: {
    path: 'prisma/migrations',
    seed: 'tsx scripts/seed.ts',
  },
  datasource: {
    url: process.env.DATABASE_URL ?? 'file:./prisma/dev.db',
  },
});
