/**
 * The cluster's nginx: its configuration (one template, rewritten whenever an instance's health
 * changes) and its process, run from a private directory (`nginx -p <dir> -c <dir>/nginx.conf`), so
 * nothing in /etc is read or written. nginx answers which configuration it runs (GENERATION_PATH):
 * a reload is known to have taken effect, not assumed. Why nginx is set up this way:
 * docs/decisions/0071-cluster-behind-nginx.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { endGroup, hasExited, signalGroup } from './process-group';

export const NGINX = process.env.NGINX_BINARY ?? '/usr/sbin/nginx';

/** Path of nginx's own answer saying which configuration is running (loopback only). */
const GENERATION_PATH = '/.cluster/generation';

export type Upstream = { port: number; inService: boolean };

type ConfigInput = {
  directory: string;
  port: number;
  proxyAddress: string;
  generation: number;
  upstreams: readonly Upstream[];
};

/** The whole nginx configuration. Exported for a reader (and a test) to see what runs. */
export function nginxConfig({ directory, port, proxyAddress, generation, upstreams }: ConfigInput): string {
  const logs = path.join(directory, 'logs');
  const servers = upstreams
    .map(({ port: upstreamPort, inService }) => `    server 127.0.0.1:${upstreamPort} max_fails=1 fail_timeout=5s${inService ? '' : ' down'};`)
    .join('\n');
  return `# Written by scripts/lib/cluster-nginx.ts (configuration ${generation}); rewritten when an instance's health changes.
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
        # Idle connections are closed here first, before the instances' own 65 s
        # (KEEP_ALIVE_TIMEOUT_MS): never a request sent on a connection an instance is closing.
        keepalive_timeout 60s;
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

export type NginxOptions = {
  /** Holds nginx.conf, logs/, the pid file and nginx's temp directories. */
  directory: string;
  port: number;
  proxyAddress: string;
  /** Read each time the configuration is written. */
  upstreams: () => readonly Upstream[];
};

export type Nginx = {
  /** Resolves once nginx answers with its first configuration; rejects if it exits or 10 s pass. */
  ready(): Promise<void>;
  /** Rewrites the upstream block and reloads; resolves once new connections get it. Reloads queue up. */
  reload(): Promise<void>;
  /** Resolves when every reload asked for so far has finished (rejects if the last one failed). */
  settled(): Promise<void>;
  /** Graceful (SIGQUIT: requests in flight finish), SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** SIGKILL now, synchronously: for a process that is exiting. */
  kill(): void;
};

/** Writes the configuration, has nginx test it, and starts nginx in the foreground of its own process group. */
export function startNginx({ directory, port, proxyAddress, upstreams }: NginxOptions): Nginx {
  const configFile = path.join(directory, 'nginx.conf');
  const common = ['-p', directory, '-c', configFile, '-e', path.join(directory, 'logs', 'error.log')];
  let generation = 0;
  const writeConfig = () => {
    generation += 1;
    writeFileSync(configFile, nginxConfig({ directory, port, proxyAddress, generation, upstreams: upstreams() }));
    return generation;
  };

  writeConfig();
  const test = spawnSync(NGINX, ['-t', '-q', ...common], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx refused its configuration: ${test.stderr}`);
  const child = spawn(NGINX, [...common, '-g', 'daemon off;'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));

  async function applyConfig(): Promise<void> {
    const target = writeConfig();
    const reload = spawnSync(NGINX, [...common, '-s', 'reload'], { encoding: 'utf8' });
    if (reload.status !== 0) throw new Error(`nginx reload failed: ${reload.stderr || reload.stdout}`);
    await waitForGeneration(port, target, 20, (late) => (late ? 'nginx did not load its new configuration within 10 s' : null));
  }
  // Serialized: the health monitor and an instance's stop() may both want a reload.
  let reloading: Promise<void> = Promise.resolve();

  return {
    ready: () =>
      waitForGeneration(port, generation, 50, (late) => {
        if (child.exitCode !== null) return `nginx exited (${child.exitCode}): ${output}`;
        return late ? `nginx did not answer on port ${port} within 10 s: ${output}` : null;
      }),
    reload() {
      reloading = reloading.then(applyConfig, applyConfig);
      return reloading;
    },
    settled: () => reloading,
    stop: async () => {
      if (!hasExited(child)) await endGroup(child, 'SIGQUIT');
    },
    kill: () => signalGroup(child.pid!, 'SIGKILL'),
  };
}

/** Polls nginx every `pollMs` until it runs configuration `target`; `problem` says why to stop waiting. */
async function waitForGeneration(port: number, target: number, pollMs: number, problem: (late: boolean) => string | null): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await runningGeneration(port)) < target) {
    const reason = problem(Date.now() > deadline);
    if (reason) throw new Error(reason);
    await sleep(pollMs);
  }
}

function runningGeneration(port: number): Promise<number> {
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
