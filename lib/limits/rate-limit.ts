/**
 * Attempt limits, counted in the database (RateLimitAttempt) so several app instances share one count:
 * password guesses per email (ASVS 6.3.1 / 2.2.1 in v4) and, inside a session, per account; successful
 * sign-ins per account and per client IP; failed sign-ins and signups per client IP; payments to unknown
 * recipients per sender. Each attempt reserves a row, then counts, so a concurrent burst cannot squeeze
 * under a limit. Each limit and why: docs/decisions/0052-attempt-limits.md.
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { getConfig } from '../config/config';
import { db } from '../db/client';

export type AttemptLimit = { scope: string; max: number; windowSeconds: number };

export type AttemptReservation =
  | { ok: true; attemptId: string; key: string }
  | { ok: false; retryAfterSeconds: number };

export const UNKNOWN_RECIPIENT_LIMIT: AttemptLimit = { scope: 'unknown-recipient', max: 5, windowSeconds: 900 };

/** Copies made on /lab per user: each one writes a session row and a security event (lib/lab/token-copy.ts). */
export const LAB_COPY_LIMIT: AttemptLimit = { scope: 'lab-copy', max: 10, windowSeconds: 900 };

function passwordLimit(): AttemptLimit {
  const { LOGIN_MAX_FAILURES, LOGIN_FAILURE_WINDOW_SECONDS } = getConfig();
  return { scope: 'password-attempt', max: LOGIN_MAX_FAILURES, windowSeconds: LOGIN_FAILURE_WINDOW_SECONDS };
}

/** Its own scope (never the email's key): lib/auth/check-password.ts says why. Per user id, not per session. */
function sessionPasswordLimit(): AttemptLimit {
  return { ...passwordLimit(), scope: 'account-password-attempt' };
}

function signInIpLimit(): AttemptLimit {
  const { SIGNIN_IP_MAX_FAILURES, SIGNIN_IP_WINDOW_SECONDS } = getConfig();
  return { scope: 'signin-ip', max: SIGNIN_IP_MAX_FAILURES, windowSeconds: SIGNIN_IP_WINDOW_SECONDS };
}

function signInSuccessAccountLimit(): AttemptLimit {
  const { SIGNIN_ACCOUNT_MAX_SUCCESSES, SIGNIN_SUCCESS_WINDOW_SECONDS } = getConfig();
  return { scope: 'signin-success-account', max: SIGNIN_ACCOUNT_MAX_SUCCESSES, windowSeconds: SIGNIN_SUCCESS_WINDOW_SECONDS };
}

function signInSuccessIpLimit(): AttemptLimit {
  const { SIGNIN_IP_MAX_SUCCESSES, SIGNIN_SUCCESS_WINDOW_SECONDS } = getConfig();
  return { scope: 'signin-success-ip', max: SIGNIN_IP_MAX_SUCCESSES, windowSeconds: SIGNIN_SUCCESS_WINDOW_SECONDS };
}

function signupIpLimit(): AttemptLimit {
  const { SIGNUP_IP_MAX_ATTEMPTS, SIGNUP_IP_WINDOW_SECONDS } = getConfig();
  return { scope: 'signup-ip', max: SIGNUP_IP_MAX_ATTEMPTS, windowSeconds: SIGNUP_IP_WINDOW_SECONDS };
}

/** The key is a hash, so the table does not collect a list of typed emails or addresses. */
function attemptKey(scope: string, subject: string): string {
  return createHash('sha256').update(`${scope}:${subject}`).digest('base64url');
}

/**
 * The subject of a per-IP limit. An IPv6 client usually holds a whole /64 and could rotate through it,
 * so IPv6 addresses count per /64. A request whose address could not be established (see
 * lib/request/request-context-hook.ts) shares one bucket with every other such request rather than escaping the
 * limit.
 */
export function ipLimitSubject(ipAddress: string | null): string {
  if (!ipAddress) return 'unknown-address';
  if (!isIPv6(ipAddress)) return ipAddress;
  return `${expandIPv6(ipAddress).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head, tail] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const missing = Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => '0');
  return [...left, ...(tail === undefined ? [] : missing), ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}

async function reserveAttempt(limit: AttemptLimit, subject: string, now: Date): Promise<AttemptReservation> {
  const key = attemptKey(limit.scope, subject);
  const windowStart = new Date(now.getTime() - limit.windowSeconds * 1000);
  const attempt = await db().rateLimitAttempt.create({ data: { key, createdAt: now } });
  const inWindow = { key, createdAt: { gt: windowStart } };
  const count = await db().rateLimitAttempt.count({ where: inWindow });
  if (count <= limit.max) return { ok: true, attemptId: attempt.id, key };

  await db().rateLimitAttempt.delete({ where: { id: attempt.id } });
  const oldest = await db().rateLimitAttempt.findFirst({ where: inWindow, orderBy: { createdAt: 'asc' } });
  return { ok: false, retryAfterSeconds: secondsUntilFree(oldest?.createdAt ?? now, limit, now) };
}

function secondsUntilFree(oldest: Date, limit: AttemptLimit, now: Date): number {
  return Math.max(1, Math.ceil((oldest.getTime() + limit.windowSeconds * 1000 - now.getTime()) / 1000));
}

export function reservePasswordAttempt(email: string, now = new Date()): Promise<AttemptReservation> {
  return reserveAttempt(passwordLimit(), email, now);
}

export function reserveSessionPasswordAttempt(userId: string, now = new Date()): Promise<AttemptReservation> {
  return reserveAttempt(sessionPasswordLimit(), userId, now);
}

/** The account's signed-in password failures, cleared when its owner signs in with the password. */
export async function clearSessionPasswordAttempts(userId: string): Promise<void> {
  await clearAttempts({ key: attemptKey(sessionPasswordLimit().scope, userId) });
}

export function reserveSignInIpAttempt(ipAddress: string | null, now = new Date()): Promise<AttemptReservation> {
  return reserveAttempt(signInIpLimit(), ipLimitSubject(ipAddress), now);
}

/**
 * A successful sign-in, counted per account and per client IP (kept, not released: each one made a
 * session). Both are reserved; if either is over its limit both reservations are taken back and the
 * sign-in is refused with the wait of the limit it went over.
 */
export async function reserveSignInSuccess(userId: string, ipAddress: string | null, now = new Date()): Promise<AttemptReservation> {
  const account = await reserveAttempt(signInSuccessAccountLimit(), userId, now);
  if (!account.ok) return account;
  const ip = await reserveAttempt(signInSuccessIpLimit(), ipLimitSubject(ipAddress), now);
  if (ip.ok) return account;
  await releaseAttempt(account);
  return ip;
}

export function reserveLabCopy(userId: string, now = new Date()): Promise<AttemptReservation> {
  return reserveAttempt(LAB_COPY_LIMIT, userId, now);
}

export function reserveSignupIpAttempt(ipAddress: string | null, now = new Date()): Promise<AttemptReservation> {
  return reserveAttempt(signupIpLimit(), ipLimitSubject(ipAddress), now);
}

/** A correct password clears the key's failures: the person has proven who they are. */
export async function clearAttempts(reservation: { key: string }): Promise<void> {
  await db().rateLimitAttempt.deleteMany({ where: { key: reservation.key } });
}

/**
 * Takes back one reservation only: a successful sign-in does not count toward its IP's failures, but
 * does not wipe the IP's other failures either (an attacker holding one valid account could otherwise
 * reset the count between guesses).
 */
export async function releaseAttempt(reservation: { attemptId: string }): Promise<void> {
  await db().rateLimitAttempt.deleteMany({ where: { id: reservation.attemptId } });
}

/**
 * If the email's sign-in is locked right now, an identifier of this lock period: the oldest failure
 * still counted, which is what the lock lifts one window after. Every failure that sees the same lock
 * gets the same identifier, so a log entry keyed by it is written once per lock, on any instance.
 */
export async function currentPasswordLock(email: string, now = new Date()): Promise<string | null> {
  const limit = passwordLimit();
  const key = attemptKey(limit.scope, email);
  const inWindow = { key, createdAt: { gt: new Date(now.getTime() - limit.windowSeconds * 1000) } };
  const oldest = await db().rateLimitAttempt.findMany({ where: inWindow, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: limit.max, select: { id: true } });
  return oldest.length >= limit.max ? attemptKey('lock', oldest[0].id) : null;
}

/**
 * Unknown-recipient lookups count only when they miss, so they are checked, then recorded on a miss
 * (count-then-insert): a burst of concurrent misses can overshoot the limit by its own size, a
 * deliberate trade so that a burst of payments to real recipients is never refused.
 */
export async function unknownRecipientLimitReached(senderId: string, now = new Date()): Promise<number | null> {
  const limit = UNKNOWN_RECIPIENT_LIMIT;
  const key = attemptKey(limit.scope, senderId);
  const inWindow = { key, createdAt: { gt: new Date(now.getTime() - limit.windowSeconds * 1000) } };
  if ((await db().rateLimitAttempt.count({ where: inWindow })) < limit.max) return null;
  const oldest = await db().rateLimitAttempt.findFirst({ where: inWindow, orderBy: { createdAt: 'asc' } });
  return secondsUntilFree(oldest?.createdAt ?? now, limit, now);
}

export async function recordUnknownRecipient(senderId: string, now = new Date()): Promise<void> {
  await db().rateLimitAttempt.create({ data: { key: attemptKey(UNKNOWN_RECIPIENT_LIMIT.scope, senderId), createdAt: now } });
}

/** The longest window any limit uses: rows older than this count for nothing (housekeeping's cutoff). */
export function longestAttemptWindowSeconds(): number {
  return Math.max(
    ...[
      passwordLimit(),
      sessionPasswordLimit(),
      signInIpLimit(),
      signInSuccessAccountLimit(),
      signInSuccessIpLimit(),
      signupIpLimit(),
      UNKNOWN_RECIPIENT_LIMIT,
      LAB_COPY_LIMIT,
    ].map(
      (limit) => limit.windowSeconds,
    ),
  );
}
