/**
 * DBSC challenges (W3C Device Bound Session Credentials, "Server considerations"): the `jti` a proof
 * must sign. Rows in the database, never process memory, so every instance agrees; each is accepted
 * once by a conditional delete (one instance wins, a replay finds nothing), at most five live per
 * session (an older one may still be signed after a newer was sent), and short-lived.
 * Why: docs/decisions/0103-dbsc-endpoints.md.
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import type { Prisma } from '../generated/prisma/client';
import { getConfig, type Config } from '../config/config';
import { db } from '../db/client';

export type ChallengePurpose = 'dbsc_registration' | 'dbsc_refresh';

/** Live challenges a session may hold; issuing one more deletes the oldest. */
export const MAX_LIVE_CHALLENGES = 5;

/** The registration window: the browser registers right after the sign-in answer, or not at all. */
export const REGISTRATION_CHALLENGE_SECONDS = 120;

/**
 * A refresh challenge is cached by the browser for its next refresh, which comes when the bound cookie
 * runs low: it must outlive one access-token lifetime, so it lives two.
 */
export function challengeLifetimeSeconds(purpose: ChallengePurpose): number {
  return purpose === 'dbsc_registration' ? REGISTRATION_CHALLENGE_SECONDS : 2 * getConfig().ACCESS_TOKEN_TTL_SECONDS;
}

type Writer = Pick<Prisma.TransactionClient, 'bindingChallenge'>;

/**
 * Whether sign-in offers DBSC registration (DEVICE_BOUND_SESSIONS). `auto`: only when access tokens
 * live at least 180 s, since a browser refreshes a bound cookie with under about two minutes left on
 * every request (docs/decisions/0101-dbsc-in-chromium.md).
 */
export function offersDbscRegistration(
  config: Pick<Config, 'DEVICE_BOUND_SESSIONS' | 'ACCESS_TOKEN_TTL_SECONDS'> = getConfig(),
): boolean {
  const { DEVICE_BOUND_SESSIONS: setting, ACCESS_TOKEN_TTL_SECONDS: ttl } = config;
  return setting === 'on' || (setting === 'auto' && ttl >= 180);
}

/** The registration challenge for a new session, or null when registration is not offered. */
export async function registrationChallenge(sessionId: string, now: Date): Promise<string | null> {
  return offersDbscRegistration() ? issueChallenge(db(), sessionId, 'dbsc_registration', now) : null;
}

/** A new challenge for `sessionId`: 256 random bits, base64url. Keeps at most MAX_LIVE_CHALLENGES. */
export async function issueChallenge(tx: Writer, sessionId: string, purpose: ChallengePurpose, now: Date): Promise<string> {
  // Make room first, so the new row is never the one pushed out (several may share a millisecond).
  const older = await tx.bindingChallenge.findMany({
    where: { sessionId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    skip: MAX_LIVE_CHALLENGES - 1,
    select: { id: true },
  });
  if (older.length > 0) await tx.bindingChallenge.deleteMany({ where: { id: { in: older.map((row) => row.id) } } });
  const challenge = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + challengeLifetimeSeconds(purpose) * 1000);
  await tx.bindingChallenge.create({ data: { sessionId, purpose, challenge, createdAt: now, expiresAt } });
  return challenge;
}

/**
 * Accepts `challenge` once: true when this call deleted a live challenge of this session and purpose.
 * One statement with every condition, so of two requests signing the same challenge exactly one wins,
 * on SQLite and PostgreSQL alike, whatever instance each reached.
 */
export async function consumeChallenge(
  tx: Writer,
  wanted: { sessionId: string; purpose: ChallengePurpose; challenge: string },
  now: Date,
): Promise<boolean> {
  const { count } = await tx.bindingChallenge.deleteMany({ where: { ...wanted, expiresAt: { gt: now } } });
  return count === 1;
}
