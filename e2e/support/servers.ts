/**
 * The two test servers. Tests use `http://localhost` (not 127.0.0.1): Chromium treats localhost as a
 * secure context, so `Secure` and `__Host-` cookies work over plain http there.
 */
import { randomBytes } from 'node:crypto';

// One key per test run, shared by both servers' processes through the environment.
const key = process.env.E2E_ACCESS_TOKEN_KEYS ?? `e2e:${randomBytes(32).toString('base64url')}`;
process.env.E2E_ACCESS_TOKEN_KEYS = key;

const common = {
  ACCESS_TOKEN_KEYS: key,
  LOGIN_MAX_FAILURES: '5',
  LOGIN_FAILURE_WINDOW_SECONDS: '900',
};

export const E2E_SERVERS = {
  main: {
    port: 3100,
    url: 'http://localhost:3100',
    env: { ...common, DATABASE_URL: 'file:./e2e/.tmp/main.db' },
  },
  short: {
    port: 3101,
    url: 'http://localhost:3101',
    env: {
      ...common,
      DATABASE_URL: 'file:./e2e/.tmp/short.db',
      ACCESS_TOKEN_TTL_SECONDS: '2',
      REFRESH_REUSE_GRACE_SECONDS: '1',
      REAUTH_MAX_AGE_SECONDS: '4',
    },
  },
} as const;
