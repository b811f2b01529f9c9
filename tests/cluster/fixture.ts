/**
 * What every cross-instance test file starts with: a throwaway PostgreSQL (durability off, migrated,
 * demo users seeded), a fresh signing key, and three `next start` instances of the build behind nginx
 * (scripts/lib/cluster.ts). `stop()` removes both; with CLUSTER_TEST_DEBUG set it first prints what
 * each instance wrote.
 */
import { randomBytes } from 'node:crypto';
import { startCluster, type Cluster } from '../../scripts/lib/cluster';
import { startThrowawayDatabase } from '../../scripts/lib/cluster-database';

/**
 * Starts the cluster with `env` on top of the shared DATABASE_URL and ACCESS_TOKEN_KEYS. The key is
 * also set in this process, whose lib/ modules (the database client, the seed) read the same
 * configuration as the instances.
 */
export async function startTestCluster(env: Record<string, string> = {}): Promise<Cluster> {
  process.env.ACCESS_TOKEN_KEYS = `cluster-test:${randomBytes(32).toString('base64url')}`;
  const database = await startThrowawayDatabase({ fast: true });
  let cluster: Cluster;
  try {
    cluster = await startCluster({
      instances: 3,
      env: { ACCESS_TOKEN_KEYS: process.env.ACCESS_TOKEN_KEYS, DATABASE_URL: database.url, ...env },
    });
  } catch (error) {
    await database.stop();
    throw error;
  }
  return {
    ...cluster,
    async stop() {
      if (process.env.CLUSTER_TEST_DEBUG) for (const i of cluster.instances) console.log(`--- instance ${i.index}\n${i.output()}`);
      await cluster.stop();
      await database.stop();
    },
  };
}
