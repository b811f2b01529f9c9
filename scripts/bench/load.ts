/**
 * The load: autocannon, run in this process (the servers run in their own), the same number of
 * connections and the same duration for every scenario.
 */
import autocannon from 'autocannon';
import { cookieNames } from '../../lib/tokens/cookies';

export type LoadSettings = { connections: number; durationSeconds: number; showProgress: boolean };

export type LoadResult = {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Connection errors, timeouts and answers other than 2xx: every one is a failure here. */
  errors: number;
  requests: number;
  /** Refresh chains only. */
  chains?: ChainStats;
};

export type ChainStats = { rotations: number; notRotated: number; chainsStarted: number; poolExhausted: boolean };

function summarise(result: autocannon.Result, chains?: ChainStats): LoadResult {
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx + (result.mismatches ?? 0),
    requests: result.requests.total,
    chains,
  };
}

function run(options: autocannon.Options, settings: LoadSettings): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { ...options, connections: settings.connections, duration: settings.durationSeconds, timeout: 10 },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    if (settings.showProgress) {
      autocannon.track(instance, { renderProgressBar: true, renderResultsTable: false, renderLatencyTable: false, outputStream: process.stderr });
    }
  });
}

/** GET `url` with the given headers (a session cookie or none) from every connection, as fast as the server answers. */
export async function loadGet(url: string, headers: Record<string, string>, settings: LoadSettings): Promise<LoadResult> {
  return summarise(await run({ url, headers }, settings));
}

type Chain = { token: string; rotations: number };

/**
 * Rotation chains: every request presents the refresh token the previous response of its chain
 * returned (POST /api/auth/refresh, as `fetchWithRefresh` sends it: the refresh cookie and the app's
 * Origin, no access token, since renewal happens when it has expired). A chain is never presented twice
 * at once: a connection checks a chain out for one request and returns it with the new token, so with
 * one request in flight per connection, each connection follows a chain of its own. A chain ends after
 * `rotationsPerChain` rotations (beyond the session's rotation budget, or for a successor younger than
 * the grace window, the server answers with the same token, which is cheaper and not what is measured) and the connection
 * starts the next session from `pool`. Any answer other than a fresh token is counted: an error
 * (401 would be a false reuse detection) or `notRotated`.
 */
export async function loadRefreshChains(
  baseUrl: string,
  pool: string[],
  rotationsPerChain: number,
  settings: LoadSettings,
): Promise<LoadResult> {
  const refreshCookie = cookieNames().refresh;
  const idle: Chain[] = [];
  const stats: ChainStats = { rotations: 0, notRotated: 0, chainsStarted: 0, poolExhausted: false };
  let next = 0;
  const checkout = (): Chain => {
    const chain = idle.pop();
    if (chain) return chain;
    if (next >= pool.length) {
      stats.poolExhausted = true;
      next = 0; // reuse spent chains: the server answers them without rotating, counted as notRotated
    }
    stats.chainsStarted++;
    return { token: pool[next++], rotations: 0 };
  };
  const tokenFrom = (headers: Record<string, string | string[]>): string | undefined => {
    const setCookie = Object.entries(headers).find(([name]) => name.toLowerCase() === 'set-cookie')?.[1];
    for (const line of [setCookie ?? []].flat()) {
      const match = new RegExp(`^${refreshCookie.replace(/[-_]/g, '\\$&')}=([^;]+)`).exec(line);
      if (match) return match[1];
    }
    return undefined;
  };
  const origin = new URL(baseUrl).origin;
  const result = await run(
    {
      url: baseUrl,
      requests: [
        {
          method: 'POST',
          path: '/api/auth/refresh',
          setupRequest: (request, context) => {
            const chain = checkout();
            (context as { chain?: Chain }).chain = chain;
            return { ...request, headers: { ...request.headers, origin, cookie: `${refreshCookie}=${chain.token}` } };
          },
          onResponse: (status, _body, context, headers) => {
            const chain = (context as { chain: Chain }).chain;
            const successor = status === 200 ? tokenFrom(headers as Record<string, string | string[]>) : undefined;
            if (!successor || successor === chain.token) {
              if (status === 200) stats.notRotated++;
              return; // the chain ends here
            }
            stats.rotations++;
            chain.token = successor;
            chain.rotations++;
            if (chain.rotations < rotationsPerChain) idle.push(chain);
          },
        },
      ],
    },
    settings,
  );
  return summarise(result, stats);
}
