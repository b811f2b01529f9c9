/**
 * The running cluster's moving parts once its directory and instances exist (scripts/lib/cluster.ts
 * starts it): nginx, the health monitor, taking instances in and out of service, and shutdown.
 */
import { rmSync } from 'node:fs';
import { startHealthMonitor, type Health } from './cluster-health';
import type { InstanceProcess } from './cluster-instance';
import { startNginx, type Nginx } from './cluster-nginx';

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

/** An instance's process and what the health monitor knows of it. */
export type Member = { instance: InstanceProcess; health: Health };

export class ClusterControl {
  #nginx: Nginx | null = null;
  #monitor: { stop(): void } | null = null;
  #closing = false;
  /** Woken whenever an instance goes in or out of service (waitForService). */
  readonly #waiters = new Set<() => void>();
  // If this process ends without stop() (an uncaught error), its children must not outlive it.
  readonly #killLeftovers = () => {
    for (const { instance } of this.members) instance.kill();
    this.#nginx?.kill();
  };

  constructor(
    readonly members: readonly Member[],
    readonly directory: string,
    readonly log: (line: string) => void,
  ) {
    process.once('exit', this.#killLeftovers);
  }

  async startNginx(port: number, proxyAddress: string): Promise<void> {
    const upstreams = () => this.members.map((m) => ({ port: m.instance.port, inService: m.health.inService }));
    this.#nginx = startNginx({ directory: this.directory, port, proxyAddress, upstreams });
    await this.#nginx.ready();
  }

  startMonitor(options: { intervalMs: number; fall: number; rise: number }): void {
    if (this.#closing) return;
    const setInService = (health: Health, inService: boolean, why: string) =>
      this.setInService(this.members.find((m) => m.health === health)!, inService, why);
    this.#monitor = startHealthMonitor(this.members.map((m) => m.health), { ...options, setInService, log: this.log });
  }

  /** Records the change and reloads nginx with it; resolves once nginx runs the new configuration. */
  setInService({ instance, health }: Member, inService: boolean, why: string): Promise<void> {
    if (health.inService === inService || this.#closing) return Promise.resolve();
    health.inService = inService;
    this.log(`instance ${instance.index} (${instance.url}) ${inService ? 'back in service' : 'taken out of service'}: ${why}`);
    return this.#nginx!.reload().then(() => {
      for (const wake of this.#waiters) wake();
    });
  }

  /** The public view of one member. */
  publicView(member: Member): ClusterInstance {
    const { instance, health } = member;
    const log = this.log;
    return {
      index: instance.index,
      url: instance.url,
      port: instance.port,
      get inService() {
        return health.inService;
      },
      output: instance.output,
      async start() {
        health.failures = 0;
        health.successes = 0;
        health.stopped = false;
        await instance.start();
        log(`instance ${instance.index} started again`);
      },
      stop: async () => {
        health.stopped = true;
        await this.setInService(member, false, 'stopping');
        await instance.end('SIGTERM');
      },
      kill: () => instance.end('SIGKILL'),
    };
  }

  async waitForService({ instance, health }: Member, inService: boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (health.inService !== inService) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`instance ${instance.index} not ${inService ? 'in' : 'out of'} service within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.#waiters.add(wake);
      });
    }
    await this.#nginx?.settled(); // nginx runs the configuration that says so
  }

  /** Instances first (SIGTERM), then nginx (gracefully), then the directory. */
  async stop(): Promise<void> {
    this.#closing = true;
    process.off('exit', this.#killLeftovers);
    this.#monitor?.stop();
    await Promise.all(this.members.map(({ instance }) => instance.end('SIGTERM')));
    await this.#nginx?.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
