/**
 * The /lab page's "stolen" access token: a separate demonstration session for the same user, its
 * access token minted and sealed (AES-256-GCM, in the database only), the session signed out at once,
 * so lib/lab/copy-probes.ts can show what the copy still does. The caller's own session is untouched
 * and no cookie is issued. Why and what keeps it safe: docs/decisions/0076-the-labs-token-copy.md.
 */
import 'server-only';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { db } from '../db/client';
import { recordSecurityEvent } from '../audit/security-events';
import { getConfig } from '../config/config';
import { signAccessToken } from '../tokens/access-token';
import type { RequestMeta } from '../request/request-meta';
import type { SessionUser } from '../auth/user';
import { createSession, endSessionsTransaction } from '../session/session-store';

/** How long the row outlives the token, so the page can still show that the expired copy fails. */
export const KEEP_AFTER_EXPIRY_SECONDS = 600;

/** Who may see and use a copy: the user, in the session that made it. */
export type CopyOwner = { userId: string; sessionId: string };

/** What the page may show of a copy: decoded, never the token. */
export type LabCopyView = {
  copiedSessionId: string;
  createdAt: string;
  expiresAt: string;
  header: { name: string; value: string }[];
  claims: { name: string; value: string; time?: string }[];
};

// ---------------------------------------------------------------------------------------------------
// Sealing

let sealingKey: Buffer | undefined;

/** Its own key, HKDF-derived from the signing key with a distinct `info`: the two uses share no key material. */
function getSealingKey(): Buffer {
  sealingKey ??= Buffer.from(hkdfSync('sha256', getConfig().ACCESS_TOKEN_KEYS[0].secret, new Uint8Array(0), 'lab-token-copy', 32));
  return sealingKey;
}

export function sealToken(token: string, userId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', getSealingKey(), iv).setAAD(Buffer.from(userId));
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The token, or null when the seal does not open (another user, a rotated signing key, a tampered row). */
export function unsealToken(sealed: string, userId: string): string | null {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', getSealingKey(), raw.subarray(0, 12)).setAAD(Buffer.from(userId));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------
// Making a copy

export type DemoCopyRequest = {
  user: SessionUser;
  /** The session that pressed the button: it owns the copy, and is left exactly as it is. */
  session: { id: string };
  meta: RequestMeta;
  now: Date;
};

/** "Never": no password was typed in a demonstration session, so it has no step-up credit (ASVS 7.5.3). */
export const NO_STEP_UP_CREDIT = new Date(0);

/**
 * Makes a demonstration session for `user`, keeps its access token sealed in the database for
 * `session`, and signs the demonstration session out. One transaction: the session, its sign-out, the
 * copy and the security event commit together, so no live demonstration session is ever visible to
 * another request. Writes no cookie. Returns the demonstration session's id.
 */
export async function makeDemoCopy(request: DemoCopyRequest): Promise<{ demoSessionId: string }> {
  const { user, session, meta, now } = request;
  // Through endSessionsTransaction, like every ending: in revocation-list mode this process refuses the
  // copy at once after the commit, not only within the bound.
  const demoSessionId = await endSessionsTransaction(async (tx, end) => {
    // Writes first (see lib/db/sqlite-adapter.ts): the transaction takes the write lock at once.
    const demo = await createSession(user.id, meta, now, tx);
    await tx.session.update({ where: { id: demo.session.id }, data: { authenticatedAt: NO_STEP_UP_CREDIT } });
    const token = await signAccessToken({ userId: user.id, email: user.email, sessionId: demo.session.id }, now);
    // A sign-out like any other: the row is revoked and its (never issued) refresh token withdrawn.
    await end({ id: demo.session.id }, 'logout', now);
    const copy = {
      ownerSessionId: session.id,
      copiedSessionId: demo.session.id,
      sealedToken: sealToken(token.token, user.id),
      createdAt: now,
      tokenExpiresAt: token.expiresAt,
      keepUntil: new Date(token.expiresAt.getTime() + KEEP_AFTER_EXPIRY_SECONDS * 1000),
    };
    // One copy per user: a new one replaces the last.
    await tx.labTokenCopy.upsert({ where: { userId: user.id }, create: { userId: user.id, ...copy }, update: copy });
    await recordSecurityEvent(
      {
        type: 'lab_demo_copied',
        userId: user.id,
        sessionId: session.id,
        meta,
        now,
        detail: `Made demonstration session ${demo.session.id} on the lab page, kept a server-side copy of its access token and signed it out. This session was not changed.`,
      },
      tx,
    );
    return demo.session.id;
  });
  return { demoSessionId };
}

// ---------------------------------------------------------------------------------------------------
// Finding a copy: only its owner

async function findOwnedRow(owner: CopyOwner) {
  const row = await db().labTokenCopy.findUnique({ where: { userId: owner.userId } });
  return row && row.ownerSessionId === owner.sessionId ? row : null;
}

/** The copied token, for the probes only. Null for anyone but its owner, and when there is none. */
export async function findCopiedToken(owner: CopyOwner): Promise<{ token: string; expiresAt: Date } | null> {
  const row = await findOwnedRow(owner);
  const token = row && unsealToken(row.sealedToken, owner.userId);
  return token ? { token, expiresAt: row.tokenExpiresAt } : null;
}

/** What the page shows of the owner's copy: its decoded header and claims, never the token. */
export async function findCopyView(owner: CopyOwner): Promise<LabCopyView | null> {
  const row = await findOwnedRow(owner);
  const token = row && unsealToken(row.sealedToken, owner.userId);
  if (!row || !token) return null;
  return {
    copiedSessionId: row.copiedSessionId,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.tokenExpiresAt.toISOString(),
    ...decodeForDisplay(token),
  };
}

const TIME_CLAIMS = new Set(['iat', 'exp', 'nbf']);

/** Header and claims as name/value text; times also as ISO instants. The signature is never part of it. */
export function decodeForDisplay(token: string): Pick<LabCopyView, 'header' | 'claims'> {
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const header = Object.entries(decodeProtectedHeader(token)).map(([name, value]) => ({ name, value: text(value) }));
  const claims = Object.entries(decodeJwt(token)).map(([name, value]) =>
    TIME_CLAIMS.has(name) && typeof value === 'number'
      ? { name, value: String(value), time: new Date(value * 1000).toISOString() }
      : { name, value: text(value) },
  );
  return { header, claims };
}
