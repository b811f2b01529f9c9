/**
 * Where the end-to-end suites run.
 *
 * - By default the suite starts two `next start` servers from one build, each on its own fresh SQLite
 *   file under e2e/.tmp/: `main` with default lifetimes and `short` with 2-second access tokens, a 1 s
 *   reuse grace window and a 4 s step-up window, so expiry can be watched. Their ports are free ports
 *   found at start-up (or E2E_PORT / E2E_SHORT_PORT): a busy port is never a failure.
 * - Two more run ACCESS_TOKEN_CHECK=revocation-list (REVOCATION_SERVER_ENV) on ONE shared SQLite file,
 *   as two instances of one deployment: `revocation` and `revocationPeer` (E2E_REVOCATION_PORT,
 *   E2E_REVOCATION_PEER_PORT). Only the first resets the database. Their specs are `*.revocation.spec.ts`
 *   and the lab spec; against a deployment they need E2E_REVOCATION_BASE_URL and
 *   E2E_REVOCATION_PEER_BASE_URL, or they are skipped with a message.
 * - One more, `dbsc`, serves the DBSC browser test (e2e/dbsc.spec.ts) over https: DBSC_SERVER_ENV on
 *   its own SQLite file, behind the https front of e2e/support/tls-front.ts (E2E_DBSC_PORT, and
 *   E2E_DBSC_TLS_PORT for the front). Without openssl it is left out, with one line saying so.
 * - `E2E_BASE_URL=https://… npm run test:e2e` points the suites that need no special server settings at a
 *   deployment that is already running, and starts nothing. The short-lifetime suites then run only
 *   when `E2E_SHORT_BASE_URL` names a deployment started with the settings in SHORT_SERVER_ENV.
 *
 * Tests use `http://localhost` (not 127.0.0.1): Chromium treats localhost as a secure context, so
 * `Secure` and `__Host-` cookies work over plain http there.
 *
 * Playwright loads the config in its main process and again in every worker: choices made here are
 * stored in the environment on first load, which the workers inherit, so all agree on them.
 */
import { randomBytes } from 'node:crypto';
import { freePort } from '../../scripts/lib/local-server';
import { makeCertificate, opensslMissing, type TlsCertificate } from './tls-front';

/**
 * What every server under test needs, the suite's own and a deployment named by E2E_BASE_URL alike:
 * every test signs up its own accounts and signs in, all from one address, a few hundred a run, often
 * as the demo funder: beyond the default 50 signups an hour per IP and the default successful sign-ins
 * per IP and per account. The limits themselves are tested in tests/integration/client-ip-limit.test.ts and
 * tests/integration/session-limits.test.ts.
 */
export const TEST_SERVER_ENV = {
  SIGNUP_IP_MAX_ATTEMPTS: '1000',
  SIGNIN_IP_MAX_SUCCESSES: '10000',
  SIGNIN_ACCOUNT_MAX_SUCCESSES: '1000',
} as const;

/** The settings the `short` server runs with; a deployment named by E2E_SHORT_BASE_URL needs them too. */
export const SHORT_SERVER_ENV = {
  ACCESS_TOKEN_TTL_SECONDS: '2',
  REFRESH_REUSE_GRACE_SECONDS: '1',
  REAUTH_MAX_AGE_SECONDS: '4',
} as const;

/**
 * The settings of the two revocation-list servers: the short ones, with 5-second access tokens instead
 * of 2, so a refusal within the stated 1-second bound cannot be mistaken for the token expiring.
 */
export const REVOCATION_SERVER_ENV = {
  ...SHORT_SERVER_ENV,
  ACCESS_TOKEN_TTL_SECONDS: '5',
  ACCESS_TOKEN_CHECK: 'revocation-list',
} as const;

/**
 * The settings of the `dbsc` server: every sign-in offers DBSC registration (the default `auto` offers
 * it only from 180-second tokens), and access tokens (the bound cookie) short enough to watch run out.
 */
export const DBSC_SERVER_ENV = {
  DEVICE_BOUND_SESSIONS: 'on',
  ACCESS_TOKEN_TTL_SECONDS: '6',
} as const;

export type E2EServer = {
  url: string;
  /**
   * Present when the suite starts the server itself. `resetDatabase: false` for a second instance on a
   * shared file. `tls`: `url` is an https front on `tls.port` forwarding to `port` (e2e/support/tls-front.ts).
   */
  start?: { port: number; env: Record<string, string>; resetDatabase?: boolean; tls?: { port: number; certificate: TlsCertificate } };
};

async function chosenPort(variable: string): Promise<number> {
  process.env[variable] ??= String(await freePort());
  return Number(process.env[variable]);
}

function trimmed(url: string | undefined): string | undefined {
  return url ? url.replace(/\/+$/, '') : undefined;
}

type E2EServers = {
  main: E2EServer;
  short: E2EServer | null;
  revocation: E2EServer | null;
  revocationPeer: E2EServer | null;
  dbsc: E2EServer | null;
};

/**
 * The certificate of the `dbsc` server's front, made once per run: the first load of this module (in
 * Playwright's main process) makes it and notes its hash in the environment, which the workers and
 * e2e/support/start-servers.ts inherit. Null, with the reason printed once, when openssl is missing.
 */
function dbscCertificate(): TlsCertificate | null {
  const directory = 'e2e/.tmp/tls';
  const certificate = { keyFile: `${directory}/key.pem`, certFile: `${directory}/cert.pem` };
  if (process.env.E2E_DBSC_SPKI) return { ...certificate, spkiHash: process.env.E2E_DBSC_SPKI };
  if (process.env.E2E_DBSC_MISSING) return null;
  const missing = opensslMissing();
  if (missing) {
    process.env.E2E_DBSC_MISSING = missing;
    const ci = process.env.CI === 'true' || process.env.CI === '1';
    console.error(`test:e2e: ${missing}. ${ci ? 'CI=true: the DBSC browser tests fail.' : 'Skipped the DBSC browser tests.'}`);
    return null;
  }
  const made = makeCertificate(directory);
  process.env.E2E_DBSC_SPKI = made.spkiHash;
  return made;
}

async function resolveServers(): Promise<E2EServers> {
  const external = trimmed(process.env.E2E_BASE_URL);
  if (external) {
    const short = trimmed(process.env.E2E_SHORT_BASE_URL);
    const revocation = trimmed(process.env.E2E_REVOCATION_BASE_URL);
    const revocationPeer = trimmed(process.env.E2E_REVOCATION_PEER_BASE_URL);
    return {
      main: { url: external },
      short: short ? { url: short } : null,
      revocation: revocation ? { url: revocation } : null,
      revocationPeer: revocationPeer ? { url: revocationPeer } : null,
      dbsc: null,
    };
  }
  // One key per test run, shared by both servers (and the workers) through the environment.
  process.env.E2E_ACCESS_TOKEN_KEYS ??= `e2e:${randomBytes(32).toString('base64url')}`;
  const common = { ACCESS_TOKEN_KEYS: process.env.E2E_ACCESS_TOKEN_KEYS, ...TEST_SERVER_ENV };
  const mainPort = await chosenPort('E2E_PORT');
  const shortPort = await chosenPort('E2E_SHORT_PORT');
  const revocationPort = await chosenPort('E2E_REVOCATION_PORT');
  const revocationPeerPort = await chosenPort('E2E_REVOCATION_PEER_PORT');
  const revocationEnv = { ...common, ...REVOCATION_SERVER_ENV, DATABASE_URL: 'file:./e2e/.tmp/revocation.db' };
  const certificate = dbscCertificate();
  const dbscPort = await chosenPort('E2E_DBSC_PORT');
  const dbscTlsPort = await chosenPort('E2E_DBSC_TLS_PORT');
  const dbscUrl = `https://localhost:${dbscTlsPort}`;
  return {
    main: {
      url: `http://localhost:${mainPort}`,
      start: { port: mainPort, env: { ...common, DATABASE_URL: 'file:./e2e/.tmp/main.db' } },
    },
    short: {
      url: `http://localhost:${shortPort}`,
      start: { port: shortPort, env: { ...common, ...SHORT_SERVER_ENV, DATABASE_URL: 'file:./e2e/.tmp/short.db' } },
    },
    revocation: {
      url: `http://localhost:${revocationPort}`,
      start: { port: revocationPort, env: revocationEnv },
    },
    revocationPeer: {
      url: `http://localhost:${revocationPeerPort}`,
      start: { port: revocationPeerPort, env: revocationEnv, resetDatabase: false },
    },
    dbsc: certificate && {
      url: dbscUrl,
      start: {
        port: dbscPort,
        env: { ...common, ...DBSC_SERVER_ENV, APP_URL: dbscUrl, DATABASE_URL: 'file:./e2e/.tmp/dbsc.db' },
        tls: { port: dbscTlsPort, certificate },
      },
    },
  };
}

export const E2E_SERVERS = await resolveServers();

/** The Playwright project that runs the `*.short.spec.ts` suites against the `short` server. */
export const SHORT_PROJECT = 'short-lived-tokens';

/** The Playwright project that runs against the revocation-list servers. */
export const REVOCATION_PROJECT = 'short-revocation-list';

/** The Playwright project that runs e2e/dbsc.spec.ts against the `dbsc` server, in a Chromium with DBSC on. */
export const DBSC_PROJECT = 'dbsc-https';

/**
 * Why the `dbsc` server is missing from this run (openssl missing, or a deployment under test), or null.
 * A missing openssl fails the DBSC tests under CI=true (e2e/dbsc.spec.ts).
 */
export const DBSC_MISSING: string | null = E2E_SERVERS.dbsc
  ? null
  : (process.env.E2E_DBSC_MISSING ?? 'needs the suite\'s own https front and DEVICE_BOUND_SESSIONS=on: not run against E2E_BASE_URL');

/** True when the suite started the servers itself (fresh databases, the project's own build). */
export const OWN_SERVERS = E2E_SERVERS.main.start !== undefined;
