/**
 * Each deployment made ready to measure: its two `next start` servers (stateless, and
 * ACCESS_TOKEN_CHECK=revocation-list), its database seeded, and which behaviour each server really has;
 * beside them the bare Next.js app's one server, the baseline of every deployment.
 */
import * as fixtures from './fixtures';
import { countingServer } from './rotation-counts';
import { startServer, type BenchServer } from './server';
import type { Deployment } from './deployments';
import type { DeploymentDescription } from './report';
import type { Target } from './scenarios';

export type ServerSetup = {
  /** What every server's environment shares with this process (the signing key, no housekeeping). */
  sharedEnv: Record<string, string>;
  /** The servers' `--max-old-space-size=` flag. */
  heap: string;
  /** `--profile`: where a server writes its CPU profiles; null when not profiling. */
  profileDir: ((serverName: string) => string) | null;
  /** The built bare Next.js app's folder (bare-app.ts): the baseline's server. */
  bareAppDir: string;
};

/** The name of the bare app's server in logs and profiles. */
export const BARE_SERVER_NAME = 'bare Next.js app';

const profileArgs = (profileDir: ServerSetup['profileDir'], name: string) => (profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir(name)}`] : []);

/**
 * The bare app's server and every deployment's servers, started together; then each deployment
 * prepared, one at a time. The bare app gets the same heap limit and no configuration of this app's.
 */
export async function startTargets(deployments: Deployment[], setup: ServerSetup, log: (line: string) => void): Promise<Target[]> {
  const [bare, ...started] = await Promise.all([
    startServer({ name: BARE_SERVER_NAME, env: {}, nodeOptions: setup.heap, nodeArgs: profileArgs(setup.profileDir, BARE_SERVER_NAME), dir: setup.bareAppDir }),
    ...deployments.map((d) => startServers(d, setup)),
  ]);
  process.stderr.write(`  ${BARE_SERVER_NAME}: ${bare.url}\n`);
  const targets: Target[] = [];
  for (const [i, deployment] of deployments.entries()) targets.push(await prepare(deployment, bare, started[i] as [BenchServer, BenchServer], log));
  return targets;
}

/** What the report says of a deployment whose revocation-list server turned out to be stateless. */
export function revocationNotes(targets: Target[]): string[] {
  return targets
    .filter((t) => !t.revocationActive)
    .map(
      (target) =>
        `${target.deployment.label}: ACCESS_TOKEN_CHECK=revocation-list is not in this build: the server started with it still accepted a signed-out ` +
        'session\'s token, so its rows measure the stateless path and its target is not measured.',
    );
}

/**
 * A deployment's two servers, started together (they need nothing from the database to start), each
 * counting its database work (rotation-counts.ts).
 */
function startServers(deployment: Deployment, { sharedEnv, heap, profileDir }: ServerSetup): Promise<[BenchServer, BenchServer]> {
  const env = { ...sharedEnv, DATABASE_URL: deployment.databaseUrl };
  const names = [`${deployment.name} stateless`, `${deployment.name} revocation-list`];
  const [counting, countingRevocation] = names.map(countingServer);
  return Promise.all([
    fixtures.startNamed(startServer, names[0], { ...env, ...counting.env }, heap, [...counting.nodeArgs, ...profileArgs(profileDir, names[0])]),
    fixtures.startNamed(
      startServer,
      names[1],
      { ...env, ACCESS_TOKEN_CHECK: 'revocation-list', ...countingRevocation.env },
      heap,
      [...countingRevocation.nodeArgs, ...profileArgs(profileDir, names[1])],
    ),
  ]);
}

/**
 * A deployment's database seeded, and its servers checked. One deployment at a time: the fixtures
 * reach the database through `deployment.use`.
 */
async function prepare(deployment: Deployment, bare: BenchServer, [stateless, revocation]: [BenchServer, BenchServer], log: (line: string) => void): Promise<Target> {
  const { userId } = await deployment.use(() => fixtures.seedDatabase());
  // Which behaviour each server really has: the premise says a stateless server keeps accepting a
  // signed-out session's token; a revocation list refuses it.
  const statelessRefuses = await deployment.use(() => fixtures.refusesSignedOutToken(stateless.url, userId, 0));
  if (statelessRefuses) throw new Error(`${deployment.label}: the stateless server refused a signed-out session's token at once`);
  const revocationActive = await deployment.use(() => fixtures.refusesSignedOutToken(revocation.url, userId));
  log(`${deployment.label}: the revocation-list server ${revocationActive ? 'refuses' : 'still accepts'} a signed-out session's token`);
  const { cookie } = await deployment.use(() => fixtures.signedInCookie(userId));
  return { deployment, userId, bare, stateless, revocation, revocationActive, cookie, refreshPool: [], baselineRps: 0 };
}

/** The report's paragraph on a deployment: where its database is, and its durability settings as read. */
export async function describeDeployment(target: Target): Promise<DeploymentDescription> {
  const { deployment } = target;
  if (deployment.name === 'sqlite') {
    const { journalMode, synchronous } = await deployment.use(() => fixtures.sqliteDurability());
    return {
      name: 'sqlite',
      label: deployment.label,
      description:
        `a file in the temporary directory, opened by better-sqlite3 inside each server's process (one connection per process); ` +
        `journal ${journalMode}, synchronous ${synchronous}` +
        (synchronous === 'NORMAL' ? ' (better-sqlite3\'s default in WAL mode: each commit is written to the log at once but synced to disk only at checkpoints, so it survives a crash of the app, not a power cut)' : ''),
    };
  }
  const settingsRead = await deployment.use(() =>
    fixtures.postgresSettings(['server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers']),
  );
  return {
    name: 'postgresql',
    label: deployment.label,
    description:
      `PostgreSQL ${settingsRead.server_version} on this machine, reached over TCP on loopback through @prisma/adapter-pg ` +
      `(a pool of up to ${process.env.DATABASE_POOL_SIZE ?? 10} connections per server process); durability at its defaults: ` +
      `fsync ${settingsRead.fsync}, synchronous_commit ${settingsRead.synchronous_commit}, full_page_writes ${settingsRead.full_page_writes}, shared_buffers ${settingsRead.shared_buffers}` +
      (deployment.databaseCpuMicroseconds ? '' : '; its CPU time is not visible from here (a server elsewhere)'),
  };
}
