/**
 * Password hashing with Argon2id at OWASP's recommended parameters (Password Storage Cheat Sheet:
 * m=19 MiB, t=2, p=1). The `argon2` package hashes on libuv's thread pool, so a login never blocks the
 * event loop. Hashes are PHC strings: parameters travel with each hash, so raising them later only
 * needs `needsRehash` on the next successful login.
 */
import 'server-only';
import argon2 from 'argon2';

const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

/** False for a wrong password and for a malformed hash alike; never throws on user input. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifying against this when an email is unknown makes "no such account" cost the same as "wrong
 * password", so response time does not reveal who has an account (ASVS 6.3.8 / enumeration).
 */
export function getDummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('dummy password that never matches anything');
  return dummyHash;
}
