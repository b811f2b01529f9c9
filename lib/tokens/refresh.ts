/**
 * Refresh tokens are opaque reference tokens, not JWTs: 256 bits from a CSPRNG (ASVS 7.2.3 asks for at
 * least 128), shown to the browser once and stored only as a SHA-256 hash, so a database leak yields
 * nothing that can be replayed. A plain fast hash is right here (unlike passwords) because the input
 * already has 256 bits of entropy.
 */
import { createHash, randomBytes } from 'node:crypto';

export function generateRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Cheap shape check before touching the database: 32 bytes in base64url are 43 characters. */
export function isWellFormedRefreshToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
