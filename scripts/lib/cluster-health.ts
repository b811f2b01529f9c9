/**
 * The cluster's active health check: open-source nginx has none, so every `intervalMs` each instance's
 * `GET /api/health` is probed; `fall` failed probes in a row take it out of service, `rise` good ones
 * put it back (docs/decisions/0071-cluster-behind-nginx.md).
 */
import { probe } from './cluster-instance';

export type Health = {
  url: string;
  /** What the monitor believes, and nginx's upstream block says. */
  inService: boolean;
  /** Stopped on purpose: not probed, kept out. */
  stopped: boolean;
  failures: number;
  successes: number;
};

export type MonitorOptions = {
  intervalMs: number;
  fall: number;
  rise: number;
  /** Called when `fall` or `rise` is reached; resolves once nginx has the change. */
  setInService(health: Health, inService: boolean, why: string): Promise<void>;
  log(line: string): void;
};

/** Probes every instance not stopped on purpose, one round every `intervalMs`, until stop(). */
export function startHealthMonitor(instances: readonly Health[], options: MonitorOptions): { stop(): void } {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      Promise.all(instances.map((health) => probeOne(health, options)))
        .catch((error: unknown) => options.log(`health check error: ${String(error)}`))
        .finally(schedule);
    }, options.intervalMs);
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

async function probeOne(health: Health, { intervalMs, fall, rise, setInService }: MonitorOptions): Promise<void> {
  if (health.stopped) return;
  if (await probe(health.url, Math.min(intervalMs, 1000))) {
    health.failures = 0;
    health.successes += 1;
    if (!health.inService && health.successes >= rise) await setInService(health, true, `${rise} good health probes`);
  } else {
    health.successes = 0;
    health.failures += 1;
    if (health.inService && health.failures >= fall) await setInService(health, false, `${fall} failed health probes`);
  }
}
