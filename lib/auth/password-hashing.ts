/**
 * Password hashing with Argon2id at OWASP's recommended parameters (m=19 MiB, t=2, p=1), off the event
 * loop (libuv's thread pool), as PHC strings so the parameters can be raised later (`needsRehash`).
 * Every hash and verification goes through one bounded queue per process (CWE-770); beyond it the call
 * throws `PasswordHasherBusy` before any work, and callers answer 503 with Retry-After.
 * Why, with the measurements: docs/decisions/0056-bounded-password-hashing.md.
 */
import 'server-only';
import argon2 from 'argon2';
import { getPasswordHashLimits } from '../config/config';
import { WorkQueue, WorkQueueFull } from './work-queue';

const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * Every hashing slot is taken and the line is full. Expected under a flood, so a typed error that the
 * route handlers turn into 503 + Retry-After; nothing was hashed or verified.
 */
export class PasswordHasherBusy extends Error {
  override name = 'PasswordHasherBusy';
  /** A queue drains in well under a second (one Argon2 operation takes about 35 ms on 2 cores). */
  readonly retryAfterSeconds = 1;
  constructor() {
    super('Password hashing is at capacity. Try again in a moment.');
  }
}

let queue: WorkQueue | undefined;

/** This process's hashing queue, sized from the configuration on first use. */
export function passwordHashingQueue(): WorkQueue {
  if (!queue) {
    const { PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE } = getPasswordHashLimits();
    queue = new WorkQueue(PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE);
  }
  return queue;
}

async function inQueue<T>(job: () => Promise<T>): Promise<T> {
  try {
    return await passwordHashingQueue().run(job);
  } catch (error) {
    throw error instanceof WorkQueueFull ? new PasswordHasherBusy() : error;
  }
}

/** Throws `PasswordHasherBusy` when the hashing queue is full. */
export function hashPassword(password: string): Promise<string> {
  return inQueue(() => argon2.hash(password, OPTIONS));
}

/**
 * False for a wrong password and for a malformed hash alike; never throws on user input. Throws
 * `PasswordHasherBusy` when the hashing queue is full: "busy" must not read as "wrong password".
 */
export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return inQueue(async () => {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  });
}

export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifying against this when an email is unknown makes "no such account" cost the same as "wrong
 * password", so response time does not reveal who has an account (ASVS 6.3.8 / enumeration).
 * Computed once per process outside the queue: a flood cannot multiply it, and a busy queue at start-up
 * must not leave a rejected promise cached here for good.
 */
export function getDummyPasswordHash(): Promise<string> {
  dummyHash ??= argon2.hash('dummy password that never matches anything', OPTIONS).catch((error: unknown) => {
    dummyHash = undefined;
    throw error;
  });
  return dummyHash;
}

/**
 * Awaits `work`; when the hashing queue refused it, runs `undo` before passing the refusal on. For the
 * callers that reserve a rate-limit attempt before hashing: a request refused as busy was never a
 * password attempt, and must not count toward anyone's lock (or an attacker filling the queue would
 * also be spending the owner's allowance of attempts).
 */
export async function undoIfHasherBusy<T>(work: Promise<T>, undo: () => Promise<unknown>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof PasswordHasherBusy) await undo();
    throw error;
  }
}
