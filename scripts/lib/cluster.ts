/**
 * Several `next start` instances of this checkout behind one nginx, sharing one PostgreSQL: the
 * machinery of `npm run cluster`, the cross-instance test (tests/cluster/) and the benchmark.
 *
 * What it runs:
 * - N instances of the existing build (`next build` first), each `next start -H 127.0.0.1 -p <port>`
 *   in its own process group (stopping the group also stops the `next-server` child Next.js forks),
 *   all with the same environment: the same DATABASE_URL (PostgreSQL) and the same ACCESS_TOKEN_KEYS.
 *   The key must be the same everywhere because an access token signed by one instance is verified by
 *   whichever instance the next request reaches, and refresh-token successors are derived from it
 *   (lib/tokens/refresh-token.ts): concurrent siblings on two instances must derive the same one.
 * - nginx (Debian's package, /usr/sbin/nginx) with its own configuration, pid file, logs and temp
 *   files in a temporary directory: `nginx -p <dir> -c <dir>/nginx.conf -g 'daemon off;'`. Nothing in
 *   /etc is read or written, and no system service is touched.
 *
 * Forwarding headers are believed only from nginx: nginx opens its upstream connections from
 * 127.0.0.2 (`proxy_bind`), and the instances run with TRUST_PROXY=127.0.0.2, so a client that reaches
 * an instance directly (from 127.0.0.1) cannot choose its recorded address with X-Forwarded-For
 * (lib/request/trusted-proxy.ts). nginx *sets* X-Forwarded-For to the address it saw (not appends),
 * being the outermost proxy.
 *
 * Health: open-source nginx has no active health checks, so this module polls each instance's
 * `GET /api/health` every `healthIntervalMs` (1 s). After `fall` failed probes in a row an instance is
 * marked `down` in the upstream block and nginx reloads its configuration (gracefully: requests in
 * flight finish); after `rise` good probes it is put back. nginx's passive check
 * (`max_fails=1 fail_timeout=5s`) covers the gap until the next probe: a refused connection takes the
 * server out for 5 s at once, and the request goes to another. nginx's default for which requests it
 * retries on another server is kept on purpose: `proxy_next_upstream error timeout` never passes a
 * non-idempotent request (POST: sign-in, refresh, payments) on once it has been sent to an instance, so
 * a payment whose instance died mid-request is never sent twice by the proxy. (The payment's idempotency
 * key makes a retry by the client safe.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitUntilServing } from './local-server';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NEXT_BIN = path.join(PROJECT_ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
export const NGINX = process.env.NGINX_BINARY ?? '/usr/sbin/nginx';

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

export type ClusterInstance = {
  /** 1-based, as in the logs. */
  index: number;
  /** `http://127.0.0.1:<port>`: the instance directly, bypassing nginx. */
  url: string;
  port: number;
  /** What the health monitor currently believes (and nginx's upstream says). */
  readonly inService: boolean;
  /** The instance's output so far (also in `<dir>/instance-<n>.log`). */
  output(): string;
  /** Starts it again after stop() or kill() and waits until it serves; the monitor puts it back. */
  start(): Promise<void>;
  /** Graceful: taken out of nginx first, then SIGTERM to its process group (SIGKILL after 5 s). */
  stop(): Promise<void>;
  /** A crash: SIGKILL to the process group, nothing told to nginx or the monitor. */
  kill(): Promise<void>;
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

type InstanceState = {
  index: number;
  port: number;
  url: string;
  child: ChildProcess | null;
  inService: boolean;
  /** Stopped on purpose: not probed, kept out. */
  stopped: boolean;
  failures: number;
  successes: number;
  output: string;
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

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const count = options.instances ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > 32) throw new Error('instances must be 1 to 32');
  requireSharedSigningKey(options.env);
  requireSharedPostgres(options.env);
  if (!existsSync(path.join(PROJECT_ROOT, '.next', 'BUILD_ID'))) throw new Error('No build found: run `npm run build` first.');
  if (!existsSync(NGINX)) throw new Error(`nginx not found at ${NGINX}: apt-get install -y nginx (or set NGINX_BINARY)`);

  const log = options.log ?? (() => {});
  const proxyAddress = options.proxyAddress ?? DEFAULT_PROXY_ADDRESS;
  const intervalMs = options.healthIntervalMs ?? 1000;
  const fall = options.fall ?? 2;
  const rise = options.rise ?? 2;
  const port = options.port ?? (await freePort());
  const url = `http://localhost:${port}`;
  const directory = mkdtempSync(path.join(tmpdir(), 'sessions-cluster-'));
  // nginx's workers run as `nobody` when started as root: they must reach their temp directories.
  chmodSync(directory, 0o755);
  mkdirSync(path.join(directory, 'logs'));
  const accessLog = path.join(directory, 'logs', 'access.log');
  const configFile = path.join(directory, 'nginx.conf');

  const instanceEnv: NodeJS.ProcessEnv = {
    ...process.env,
    APP_URL: url,
    ...options.env,
    TRUST_PROXY: proxyAddress,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
  };

  const states: InstanceState[] = [];
  for (let index = 1; index <= count; index++) {
    const instancePort = await freePort();
    states.push({
      index,
      port: instancePort,
      url: `http://127.0.0.1:${instancePort}`,
      child: null,
      inService: true,
      stopped: false,
      failures: 0,
      successes: 0,
      output: '',
    });
  }

  let generation = 0;
  let nginx: ChildProcess | null = null;
  let nginxOutput = '';
  let monitor: NodeJS.Timeout | null = null;
  let closing = false;
  const waiters = new Set<() => void>();

  function writeConfig(): number {
    generation += 1;
    writeFileSync(configFile, nginxConfig({ directory, port, proxyAddress, generation, upstreams: states }));
    return generation;
  }

  /** Rewrites the upstream block and reloads nginx; resolves once new connections get the new configuration. */
  async function applyUpstreams(): Promise<void> {
    const target = writeConfig();
    const reload = spawnSync(NGINX, ['-p', directory, '-c', configFile, '-e', path.join(directory, 'logs', 'error.log'), '-s', 'reload'], {
      encoding: 'utf8',
    });
    if (reload.status !== 0) throw new Error(`nginx reload failed: ${reload.stderr || reload.stdout}`);
    const deadline = Date.now() + 10_000;
    while ((await nginxGeneration(port)) < target) {
      if (Date.now() > deadline) throw new Error('nginx did not load its new configuration within 10 s');
      await sleep(20);
    }
  }

  // Reloads are serialized: the monitor and stop() may both want one.
  let reloading: Promise<void> = Promise.resolve();
  function reloadSoon(): Promise<void> {
    reloading = reloading.then(applyUpstreams, applyUpstreams);
    return reloading;
  }

  function setInService(state: InstanceState, inService: boolean, why: string): Promise<void> {
    if (state.inService === inService || closing) return Promise.resolve();
    state.inService = inService;
    log(`instance ${state.index} (${state.url}) ${inService ? 'back in service' : 'taken out of service'}: ${why}`);
    return reloadSoon().then(() => {
      for (const wake of waiters) wake();
    });
  }

  async function spawnInstance(state: InstanceState): Promise<void> {
    const child = spawn(process.execPath, [NEXT_BIN, 'start', '-H', '127.0.0.1', '-p', String(state.port)], {
      cwd: PROJECT_ROOT,
      detached: true, // its own process group: next start forks next-server, which must go too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...instanceEnv, PORT: String(state.port) },
    });
    state.child = child;
    state.stopped = false;
    const file = createWriteStream(path.join(directory, `instance-${state.index}.log`), { flags: 'a' });
    const keep = (chunk: Buffer) => {
      file.write(chunk);
      state.output = (state.output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', () => file.end());
    await waitUntilServing(state.url, child, () => state.output);
  }

  async function stopInstance(state: InstanceState, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = state.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(child.pid!, signal);
    const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    // next-server may outlive `next start` for a moment: the whole group, once more.
    signalGroup(child.pid!, 'SIGKILL');
  }

  async function probeAll(): Promise<void> {
    await Promise.all(
      states.map(async (state) => {
        if (state.stopped) return;
        const healthy = await probe(state.url, Math.min(intervalMs, 1000));
        if (healthy) {
          state.failures = 0;
          state.successes += 1;
          if (!state.inService && state.successes >= rise) await setInService(state, true, `${rise} good health probes`);
        } else {
          state.successes = 0;
          state.failures += 1;
          if (state.inService && state.failures >= fall) await setInService(state, false, `${fall} failed health probes`);
        }
      }),
    );
  }

  function scheduleProbes(): void {
    if (closing) return;
    monitor = setTimeout(() => {
      probeAll()
        .catch((error: unknown) => log(`health check error: ${String(error)}`))
        .finally(scheduleProbes);
    }, intervalMs);
  }

  async function stopAll(): Promise<void> {
    closing = true;
    process.off('exit', killLeftovers);
    if (monitor) clearTimeout(monitor);
    await Promise.all(states.map((state) => stopInstance(state, 'SIGTERM')));
    if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
      const exited = new Promise<void>((resolve) => nginx!.once('exit', () => resolve()));
      signalGroup(nginx.pid!, 'SIGQUIT'); // graceful shutdown
      const timer = setTimeout(() => signalGroup(nginx!.pid!, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(directory, { recursive: true, force: true });
  }

  // If this process ends without stop() (an uncaught error), its children must not outlive it.
  const killLeftovers = () => {
    for (const state of states) if (state.child?.pid) signalGroup(state.child.pid, 'SIGKILL');
    if (nginx?.pid) signalGroup(nginx.pid, 'SIGKILL');
  };
  process.once('exit', killLeftovers);

  try {
    log(`starting ${count} instances of next start...`);
    await Promise.all(states.map(spawnInstance));
    writeConfig();
    const test = spawnSync(NGINX, ['-t', '-q', '-p', directory, '-c', configFile, '-e', path.join(directory, 'logs', 'error.log')], {
      encoding: 'utf8',
    });
    if (test.status !== 0) throw new Error(`nginx refused its configuration: ${test.stderr}`);
    nginx = spawn(NGINX, ['-p', directory, '-c', configFile, '-e', path.join(directory, 'logs', 'error.log'), '-g', 'daemon off;'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    nginx.stdout!.on('data', (chunk: Buffer) => (nginxOutput += chunk.toString('utf8')));
    nginx.stderr!.on('data', (chunk: Buffer) => (nginxOutput += chunk.toString('utf8')));
    const deadline = Date.now() + 10_000;
    while ((await nginxGeneration(port)) < generation) {
      if (nginx.exitCode !== null) throw new Error(`nginx exited (${nginx.exitCode}): ${nginxOutput}`);
      if (Date.now() > deadline) throw new Error(`nginx did not answer on port ${port} within 10 s: ${nginxOutput}`);
      await sleep(50);
    }
    log(`nginx on ${url}, proxying to ${states.map((s) => s.url).join(', ')} from ${proxyAddress}`);
  } catch (error) {
    await stopAll();
    throw error;
  }
  scheduleProbes();

  const instances: ClusterInstance[] = states.map((state) => ({
    index: state.index,
    url: state.url,
    port: state.port,
    get inService() {
      return state.inService;
    },
    output: () => state.output,
    async start() {
      state.failures = 0;
      state.successes = 0;
      await spawnInstance(state);
      log(`instance ${state.index} started again`);
    },
    async stop() {
      state.stopped = true;
      await setInService(state, false, 'stopping');
      await stopInstance(state, 'SIGTERM');
    },
    async kill() {
      await stopInstance(state, 'SIGKILL');
    },
  }));

  return {
    url,
    port,
    instances,
    directory,
    accessLog,
    async waitForService(instance, inService, timeoutMs = 15_000) {
      const state = states[instance.index - 1]!;
      const deadline = Date.now() + timeoutMs;
      while (state.inService !== inService) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`instance ${instance.index} not ${inService ? 'in' : 'out of'} service within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, remaining);
          waiters.add(wake);
        });
      }
      await reloading; // nginx runs the configuration that says so
    },
    stop: stopAll,
  };
}

type ConfigInput = {
  directory: string;
  port: number;
  proxyAddress: string;
  generation: number;
  upstreams: readonly Pick<InstanceState, 'port' | 'inService'>[];
};

/** Path of nginx's own health/generation answer: which configuration is running (loopback only). */
const GENERATION_PATH = '/.cluster/generation';

/** The whole nginx configuration. Exported for a reader (and a test) to see what runs. */
export function nginxConfig({ directory, port, proxyAddress, generation, upstreams }: ConfigInput): string {
  const logs = path.join(directory, 'logs');
  const servers = upstreams
    .map(({ port: upstreamPort, inService }) => `    server 127.0.0.1:${upstreamPort} max_fails=1 fail_timeout=5s${inService ? '' : ' down'};`)
    .join('\n');
  return `# Written by scripts/lib/cluster.ts (configuration ${generation}); rewritten when an instance's health changes.
worker_processes 1;
pid ${path.join(directory, 'nginx.pid')};
error_log ${path.join(logs, 'error.log')} notice;

events {
    worker_connections 1024;
}

http {
    client_body_temp_path ${path.join(directory, 'client_body')};
    proxy_temp_path ${path.join(directory, 'proxy')};
    fastcgi_temp_path ${path.join(directory, 'fastcgi')};
    uwsgi_temp_path ${path.join(directory, 'uwsgi')};
    scgi_temp_path ${path.join(directory, 'scgi')};

    log_format cluster '$upstream_addr $status "$request"';
    access_log ${path.join(logs, 'access.log')} cluster;

    # Larger than the app's own limits (8 KB JSON, 64 KB actions), which answer with their own 413.
    client_max_body_size 1m;

    upstream app {
${servers}
        keepalive 32;
    }

    server {
        listen 127.0.0.1:${port};

        location = ${GENERATION_PATH} {
            allow 127.0.0.0/8;
            deny all;
            default_type text/plain;
            return 200 "${generation}";
        }

        location / {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # The instances trust forwarding headers only from this source address (TRUST_PROXY).
            proxy_bind ${proxyAddress};
            # The public host: Next.js refuses a server action whose Origin differs from Host / X-Forwarded-Host.
            proxy_set_header Host $http_host;
            # Set, not appended: nginx is the outermost proxy, so the address it saw is the client.
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            # nginx's default, kept on purpose: a request is passed to another instance only after a
            # connection error or timeout, and a non-idempotent one (POST) never once it was sent.
            proxy_next_upstream error timeout;
        }
    }
}
`;
}

function nginxGeneration(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: GENERATION_PATH, agent: false, timeout: 1000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 ? Number(body) || 0 : 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** One health probe: GET /api/health answers 200 within `timeoutMs`, on a fresh connection. */
function probe(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/api/health`, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
