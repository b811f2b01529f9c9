/**
 * Refresh tokens: opaque reference tokens, not JWTs, of 256 bits (ASVS 7.2.3 asks for at least 128),
 * stored only as a SHA-256 hash. The first of a session comes from the CSPRNG; each successor is derived
 * from its predecessor with HMAC-SHA256 under a server-only key, so concurrent refreshes presenting the
 * same token can all be handed the winner's result (lib/session/rotate-refresh-token.ts).
 * Why: docs/decisions/0051-refresh-tokens-opaque-and-derived.md.
 */
import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { getConfig } from '../config/config';

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

let successorKey: Buffer | undefined;

/**
 * A key of its own for successors, derived with HKDF from the current signing key (distinct `info`,
 * so the two uses never share key material). Rotating ACCESS_TOKEN_KEYS changes it; the only effect
 * is that a concurrent refresh during the deploy gets an access token without the successor.
 */
function getSuccessorKey(): Buffer {
  successorKey ??= Buffer.from(
    hkdfSync('sha256', getConfig().ACCESS_TOKEN_KEYS[0].secret, new Uint8Array(0), 'refresh-token-successor', 32),
  );
  return successorKey;
}

export function deriveSuccessorToken(predecessor: string): string {
  return createHmac('sha256', getSuccessorKey()).update(predecessor).digest('base64url');
}
