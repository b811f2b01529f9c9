/**
 * Several `next start` instances of this checkout behind one nginx, sharing one PostgreSQL: the
 * machinery of `npm run cluster`, the cross-instance test (tests/cluster/) and the benchmark.
 * Every instance gets the same DATABASE_URL and ACCESS_TOKEN_KEYS, and trusts forwarding headers only
 * from nginx's source address; a health monitor takes failing instances out of nginx's upstream block.
 * Why each of these: docs/decisions/0071-cluster-behind-nginx.md. The pieces: cluster-instance.ts
 * (a `next start`), cluster-nginx.ts (nginx and its configuration), cluster-health.ts (the monitor).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClusterControl, type ClusterInstance, type Member } from './cluster-control';
import { instanceProcess, PROJECT_ROOT } from './cluster-instance';
import { NGINX } from './cluster-nginx';
import { freePort } from './local-server';

export type { ClusterInstance } from './cluster-control';
export { NGINX, nginxConfig } from './cluster-nginx';

/** The address nginx's upstream connections come from, and the instances' TRUST_PROXY. */
export const DEFAULT_PROXY_ADDRESS = '127.0.0.2';

export type ClusterOptions = {
  /** How many `next start` instances. Default 3. */
  instances?: number;
  /**
   * The instances' environment on top of this process's: DATABASE_URL (postgresql://) and
   * ACCESS_TOKEN_KEYS are required. TRUST_PROXY and APP_URL are set here (APP_URL only if not given).
   */
  env: Record<string, string>;
  /** The public port nginx listens on (127.0.0.1). Default: a free one. */
  port?: number;
  /** nginx's source address towards the instances. Default 127.0.0.2. */
  proxyAddress?: string;
  /** Active health probe period. Default 1000 ms. */
  healthIntervalMs?: number;
  /** Failed probes in a row before an instance is taken out (default 2), good ones before it is put back (default 2). */
  fall?: number;
  rise?: number;
  /** Progress and health changes, one line each. Default: nothing. */
  log?: (line: string) => void;
};

export type Cluster = {
  /** nginx's public origin, `http://localhost:<port>` (APP_URL of every instance unless given). */
  url: string;
  port: number;
  instances: ClusterInstance[];
  /** The temporary directory with nginx.conf, its logs and the instances' logs. */
  directory: string;
  /** nginx's access log: `<upstream_addr> <status> <request>` per line. */
  accessLog: string;
  /**
   * Resolves once the monitor (and nginx's running configuration) has `instance` in or out of service.
   * Rejects after `timeoutMs`.
   */
  waitForService(instance: ClusterInstance, inService: boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
};

/** Refuses SQLite: several processes on one SQLite file is not the deployment this models. */
export function requireSharedPostgres(env: Record<string, string | undefined>): void {
  const url = env.DATABASE_URL ?? '';
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(
      'The cluster needs a shared PostgreSQL: set DATABASE_URL=postgresql://user:password@host:port/database ' +
        `(it is ${url ? 'a SQLite or other URL' : 'unset'}). SQLite is one file for one server; several instances ` +
        'must share a database server (README, "Scaling out"). `npm run cluster -- --throwaway-db` starts a private one.',
    );
  }
}

/** One signing key for all: a token signed by one instance is verified by whichever the next request reaches. */
export function requireSharedSigningKey(env: Record<string, string | undefined>): void {
  if (!env.ACCESS_TOKEN_KEYS) {
    throw new Error(
      'The cluster needs ACCESS_TOKEN_KEYS in the environment, the same on every instance (a token signed by one ' +
        'is verified by another). Production mode refuses the development key in .env.local. Generate one: ' +
        'export ACCESS_TOKEN_KEYS="k1:$(node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64url\'))")"',
    );
  }
}

function checkPrerequisites(options: ClusterOptions, count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > 32) throw new Error('instances must be 1 to 32');
  requireSharedSigningKey(options.env);
  requireSharedPostgres(options.env);
  if (!existsSync(path.join(PROJECT_ROOT, '.next', 'BUILD_ID'))) throw new Error('No build found: run `npm run build` first.');
  if (!existsSync(NGINX)) throw new Error(`nginx not found at ${NGINX}: apt-get install -y nginx (or set NGINX_BINARY)`);
}

/** The temporary directory for nginx's configuration, logs and temp files, and the instances' logs. */
function makeDirectory(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'sessions-cluster-'));
  // nginx's workers run as `nobody` when started as root: they must reach their temp directories.
  chmodSync(directory, 0o755);
  mkdirSync(path.join(directory, 'logs'));
  return directory;
}

/** Every instance's environment: the caller's on top of this process's, production mode, nginx trusted. */
function instanceEnvironment(options: ClusterOptions, url: string, proxyAddress: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    APP_URL: url,
    ...options.env,
    TRUST_PROXY: proxyAddress,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
  };
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const count = options.instances ?? 3;
  checkPrerequisites(options, count);
  const log = options.log ?? (() => {});
  const proxyAddress = options.proxyAddress ?? DEFAULT_PROXY_ADDRESS;
  const port = options.port ?? (await freePort());
  const url = `http://localhost:${port}`;
  const directory = makeDirectory();
  const env = instanceEnvironment(options, url, proxyAddress);
  const members: Member[] = [];
  for (let index = 1; index <= count; index++) {
    const instance = await instanceProcess(index, env, directory);
    members.push({ instance, health: { url: instance.url, inService: true, stopped: false, failures: 0, successes: 0 } });
  }
  const control = new ClusterControl(members, directory, log);
  try {
    log(`starting ${count} instances of next start...`);
    await Promise.all(members.map((member) => member.instance.start()));
    await control.startNginx(port, proxyAddress);
    log(`nginx on ${url}, proxying to ${members.map((m) => m.instance.url).join(', ')} from ${proxyAddress}`);
  } catch (error) {
    await control.stop();
    throw error;
  }
  control.startMonitor({ intervalMs: options.healthIntervalMs ?? 1000, fall: options.fall ?? 2, rise: options.rise ?? 2 });
  return {
    url,
    port,
    instances: members.map((member) => control.publicView(member)),
    directory,
    accessLog: path.join(directory, 'logs', 'access.log'),
    waitForService: (instance, inService, timeoutMs) => control.waitForService(members[instance.index - 1]!, inService, timeoutMs),
    stop: () => control.stop(),
  };
}
