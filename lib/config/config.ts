/**
 * Configuration, validated once with zod. Every variable is documented in README with its default;
 * the names are public API. This module has no database or Next.js imports, so the proxy can use it.
 */
import { z } from 'zod';
import { isSupportedDatabaseUrl } from './database-url';
import { canonicalIp, type TrustProxy } from '../request/trusted-proxy';

/** A signing key for access tokens: `kid` goes into the JWT header so verifiers pick the right one. */
export type SigningKey = { kid: string; secret: Uint8Array };

const KID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
// RFC 7518 3.2: an HS256 key must be at least as long as the hash output, 256 bits.
const MIN_KEY_BYTES = 32;

/**
 * `ACCESS_TOKEN_KEYS` is a comma-separated list of `kid:base64url-secret`. The first key signs; every
 * key verifies. To rotate: put a new key first, keep the old one listed for at least one access-token
 * lifetime, then remove it. Nobody is signed out by a rotation.
 */
const signingKeys = z.string().transform((raw, ctx): SigningKey[] => {
  const keys: SigningKey[] = [];
  for (const entry of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [kid, secret, ...rest] = entry.split(':');
    if (!kid || !secret || rest.length > 0 || !KID.test(kid) || !BASE64URL.test(secret)) {
      ctx.addIssue({ code: 'custom', message: 'each key must look like kid:base64url-secret' });
      return z.NEVER;
    }
    const bytes = new Uint8Array(Buffer.from(secret, 'base64url'));
    if (bytes.length < MIN_KEY_BYTES) {
      ctx.addIssue({ code: 'custom', message: `key "${kid}" is shorter than ${MIN_KEY_BYTES} bytes` });
      return z.NEVER;
    }
    if (keys.some((k) => k.kid === kid)) {
      ctx.addIssue({ code: 'custom', message: `key id "${kid}" is listed twice` });
      return z.NEVER;
    }
    keys.push({ kid, secret: bytes });
  }
  if (keys.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'at least one key is required' });
    return z.NEVER;
  }
  return keys;
});

const seconds = (fallback: number, max = Number.MAX_SAFE_INTEGER, maxMessage?: string) =>
  z.coerce.number().int().positive().max(max, { error: maxMessage }).default(fallback);

const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

// Bounded Argon2 work per server process (lib/auth/password-hashing.ts): this many hashes at once
// (libuv's pool has 4 threads, shared with file and DNS work), this many waiting; beyond that 503.
const passwordHashLimitFields = {
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(10_000).default(16),
};

/**
 * TRUST_PROXY: `true` / `false` (`1` / `0`), or the comma-separated IP addresses of the reverse proxies
 * in front, whose forwarding headers then count only on requests whose TCP peer is one of them
 * (lib/request/trusted-proxy.ts). Addresses are stored in canonical form, so they compare with the
 * socket's address however they were written.
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((raw, ctx): TrustProxy => {
    const value = raw.trim().toLowerCase();
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    const addresses = entries.map(canonicalIp);
    if (entries.length === 0 || addresses.some((address) => address === null)) {
      ctx.addIssue({ code: 'custom', message: "must be true, false, or the proxy's IP addresses, comma-separated (no ranges)" });
      return z.NEVER;
    }
    return [...new Set(addresses as string[])];
  });

const schema = z.object({
  // `file:<path>` (SQLite, the default) or `postgresql://...` (README, "Scaling out").
  DATABASE_URL: z
    .string()
    .min(1)
    .refine(isSupportedDatabaseUrl, { error: 'must be file:<path> (SQLite) or postgresql://user:password@host:port/database' })
    .default('file:./prisma/dev.db'),
  // PostgreSQL only: connections each app instance may hold. Instances x this must stay under the
  // server's max_connections (100 by default).
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  ACCESS_TOKEN_KEYS: signingKeys,
  // The premise: access tokens live 5 to 15 minutes. Shorter is allowed (tests use 2 s); longer is not,
  // because this lifetime is how long a copied token keeps working after logout.
  ACCESS_TOKEN_TTL_SECONDS: seconds(300, 900, 'must be at most 900 (15 minutes)'),
  // How reads (the proxy, pages, GET /api/me) check an access token. `stateless` (the default): the
  // signature and claims alone, so a copied token reads until it expires after logout.
  // `revocation-list`: also refuse a token whose session was revoked in the last access-token
  // lifetime, from a list each process reloads at most every 500 ms (lib/session/revocation-list.ts).
  ACCESS_TOKEN_CHECK: z.enum(['stateless', 'revocation-list']).default('stateless'),
  SESSION_IDLE_TIMEOUT_SECONDS: seconds(86_400),
  SESSION_ABSOLUTE_TIMEOUT_SECONDS: seconds(604_800),
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(60).default(10),
  REAUTH_MAX_AGE_SECONDS: seconds(600),
  // What an unbound session (bindingKind `none`) may do where an action needs recent authentication.
  // `step-up`: type the password with each such action; `allow`: the REAUTH_MAX_AGE_SECONDS window, as a bound one.
  UNBOUND_SESSION_POLICY: z.enum(['step-up', 'allow']).default('step-up'),
  LOGIN_MAX_FAILURES: seconds(5),
  LOGIN_FAILURE_WINDOW_SECONDS: seconds(900),
  COOKIE_SECURE: booleanFlag(true),
  APP_URL: z.url().optional(),
  // Forwarding headers (X-Forwarded-For, -Host, -Proto) are honoured only when a reverse proxy that
  // sets them stands in front; otherwise any client could write them. With a list of the proxy's
  // addresses, only on requests that came from one of them.
  TRUST_PROXY: trustProxy,
  ...passwordHashLimitFields,
  // Per-client-IP limits (lib/limits/rate-limit.ts): they bound the password-hashing work one client can
  // ask for and the rows it can write. Failed sign-ins only, so a busy office behind one NAT address
  // is not locked out by its own successful sign-ins.
  SIGNIN_IP_MAX_FAILURES: seconds(100),
  SIGNIN_IP_WINDOW_SECONDS: seconds(900),
  // Successful sign-ins, per account and per client IP (each one writes a session, a refresh token and
  // an event): one client made 150 sessions in 13 s without them.
  SIGNIN_ACCOUNT_MAX_SUCCESSES: seconds(30),
  SIGNIN_IP_MAX_SUCCESSES: seconds(200),
  SIGNIN_SUCCESS_WINDOW_SECONDS: seconds(900),
  // Live sessions an account may hold; a sign-in beyond it ends the one unused the longest.
  MAX_SESSIONS_PER_USER: z.coerce.number().int().min(1).max(1_000).default(20),
  SIGNUP_IP_MAX_ATTEMPTS: seconds(50),
  SIGNUP_IP_WINDOW_SECONDS: seconds(3_600),
  // Housekeeping (lib/housekeeping.ts) every this many seconds in each server process; 0 = never
  // (run `npm run db:prune` from a scheduler instead).
  HOUSEKEEPING_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(2_147_483).default(3_600),
  // Security events older than this are deleted by housekeeping.
  SECURITY_EVENT_RETENTION_DAYS: seconds(90, 36_500),
  // Device Bound Session Credentials: offer registration at sign-in. `auto`: only when access tokens
  // live at least 180 s (browsers refresh a bound cookie with under ~2 minutes left on every request).
  DEVICE_BOUND_SESSIONS: z.enum(['auto', 'on', 'off']).default('auto'),
})
  .refine((c) => c.SESSION_IDLE_TIMEOUT_SECONDS <= c.SESSION_ABSOLUTE_TIMEOUT_SECONDS, {
    path: ['SESSION_IDLE_TIMEOUT_SECONDS'],
    error: 'must not exceed SESSION_ABSOLUTE_TIMEOUT_SECONDS',
  })
  .refine((c) => c.ACCESS_TOKEN_TTL_SECONDS < c.SESSION_IDLE_TIMEOUT_SECONDS, {
    path: ['ACCESS_TOKEN_TTL_SECONDS'],
    error: 'must be shorter than SESSION_IDLE_TIMEOUT_SECONDS',
  });

export type Config = z.infer<typeof schema>;

/** Thrown when the environment is unusable; its message is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join('.') || 'environment';
      const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
      return `${name} ${message}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')} (see README, "Configuration")`);
  }
  return result.data;
}

let cached: Config | undefined;

export type PasswordHashLimits = Pick<Config, keyof typeof passwordHashLimitFields>;

/**
 * Only the hashing limits, validated the same way: hashing (the seed script, tests) needs no signing
 * key, so it must not fail for want of one. A server still validates them with everything else.
 */
export function getPasswordHashLimits(env: Record<string, string | undefined> = process.env): PasswordHashLimits {
  const input = Object.fromEntries(
    Object.keys(passwordHashLimitFields).map((name) => [name, env[name] === '' ? undefined : env[name]]),
  );
  const result = z.object(passwordHashLimitFields).safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')} (see README, "Configuration")`);
  }
  return result.data;
}

/** The validated configuration of this process, parsed on first use. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
