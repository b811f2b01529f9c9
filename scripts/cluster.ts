/**
 * `npm run cluster [-- --instances 3] [--port 8080] [--throwaway-db]`: N `next start` instances of the
 * existing build behind one nginx port, sharing one PostgreSQL (scripts/lib/cluster.ts says how).
 *
 * Needs, in the environment: ACCESS_TOKEN_KEYS (the same key on every instance; production refuses the
 * development key) and DATABASE_URL=postgresql://... of a migrated database (`npm run db:migrate`,
 * `npm run db:seed` with the same URL). `--throwaway-db` instead starts a private PostgreSQL for this run,
 * migrated and seeded, and removes it on exit. Ctrl-C stops everything.
 */
import { parseArgs } from 'node:util';
import { requireSharedPostgres, requireSharedSigningKey, startCluster, type Cluster } from './lib/cluster';
import type { ThrowawayDatabase } from './lib/cluster-database';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '3' },
    port: { type: 'string' },
    'throwaway-db': { type: 'boolean', default: false },
  },
});

const log = (line: string) => console.log(`[cluster] ${line}`);
let database: ThrowawayDatabase | undefined;
let cluster: Cluster | undefined;
let stopping: Promise<void> | undefined;

function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    log('stopping...');
    await cluster?.stop();
    await database?.stop();
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  requireSharedSigningKey(process.env);
  if (!values['throwaway-db']) requireSharedPostgres(process.env);
  if (values['throwaway-db']) {
    const { startThrowawayDatabase } = await import('./lib/cluster-database');
    database = await startThrowawayDatabase();
    log('throwaway PostgreSQL started, migrated and seeded (alice@example.com, bob@example.com)');
  }
  const env = {
    ACCESS_TOKEN_KEYS: process.env.ACCESS_TOKEN_KEYS ?? '',
    DATABASE_URL: database?.url ?? process.env.DATABASE_URL ?? '',
  };
  cluster = await startCluster({
    instances: Number(values.instances),
    port: values.port ? Number(values.port) : undefined,
    env,
    log,
  });
  log(`ready: ${cluster.url} (instances: ${cluster.instances.map((i) => i.url).join(', ')}; logs in ${cluster.directory})`);
  log('Ctrl-C to stop');
} catch (error) {
  console.error(`[cluster] ${error instanceof Error ? error.message : String(error)}`);
  await stop(1);
}
