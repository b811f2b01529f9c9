/**
 * A throwaway PostgreSQL database for a cluster run (`npm run cluster -- --throwaway-db`,
 * `npm run test:cluster`): a private server (scripts/lib/postgres-server.ts), one database on it,
 * migrated (prisma/postgresql/migrations) and seeded with the demo users. `stop()` removes it all.
 *
 * Seeding goes through the app's Prisma client, which reads DATABASE_URL from this process's
 * environment on first use: this sets it, so call it before anything else touches the database.
 */
import { db } from '../../lib/db/client';
import { applyMigrations } from './migrations';
import { createDatabase, startPostgres } from './postgres-server';
import { seedDemoUsers } from './seed';

export type ThrowawayDatabase = { url: string; stop(): Promise<void> };

export async function startThrowawayDatabase(options: { fast?: boolean } = {}): Promise<ThrowawayDatabase> {
  const server = await startPostgres({ fast: options.fast });
  try {
    const url = await createDatabase(server.adminUrl, 'sessions');
    await applyMigrations(url);
    process.env.DATABASE_URL = url;
    await seedDemoUsers();
    return {
      url,
      async stop() {
        await db().$disconnect();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
