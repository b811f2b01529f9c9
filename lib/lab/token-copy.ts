/**
 * The /lab page's "stolen" access token. One click signs the current session out but keeps a copy of
 * its access token, as a thief who copied the cookie would, and the person continues in a new session
 * to watch what the copy can still do (lib/lab/copy-probes.ts).
 *
 * What keeps the demonstration itself from becoming a hole:
 * - The copy lives only in the database (LabTokenCopy), never in process memory (several instances
 *   serve one person) and never in anything sent to the browser: the page gets `LabCopyView`, the
 *   decoded header and claims, which has no field for the token or its signature.
 * - It is sealed with AES-256-GCM under a key derived from the signing key and bound to its user id,
 *   so a leaked database yields no usable token, and a row moved to another user does not open.
 * - Only its owner sees or uses it: the same user AND the new session the lab continued them in.
 * - At most one copy per user, deleted by housekeeping after `keepUntil`.
 * - Making one is a sign-out the person chooses (reason `lab_token_copied`); no password is typed, so
 *   the new session gains no step-up credit (lib/session/session-store.ts `replaceSession`). A renewal
 *   still on its way with the old session's refresh token leaves the new session's cookies alone.
 */
import 'server-only';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { db } from '../db/client';
import { recordSecurityEvent } from '../audit/security-events';
import { getConfig } from '../proxy-safe/config';
import { verifyAccessToken } from '../proxy-safe/access-token';
import type { CookieWriter } from '../proxy-safe/cookies';
import type { RequestMeta } from '../http/request-meta';
import { replaceSession } from '../session/session-store';
import { noteLocalRevocation } from '../session/revocation-list';
import { issueSessionCookies } from '../session/issue-session-cookies';

/** How long the row outlives the token, so the page can still show that the expired copy fails. */
export const KEEP_AFTER_EXPIRY_SECONDS = 600;

/** Who may see and use a copy: the user, in the session the lab continued them in. */
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

export type KeepCopyRequest = {
  user: { id: string; email: string };
  session: { id: string };
  accessToken: string;
  meta: RequestMeta;
  now: Date;
  cookies: CookieWriter;
};

/**
 * Signs `session` out, keeps its access token sealed in the database, and continues the person in a
 * new session whose cookies go to `cookies`. One transaction: the sign-out, the copy and its security
 * event commit together. Returns the new session's id, or null, with nothing written, when the
 * session is no longer live.
 */
export async function keepCopyAndSignOut(request: KeepCopyRequest): Promise<{ sessionId: string } | null> {
  const { user, session, accessToken, meta, now } = request;
  const verified = await verifyAccessToken(accessToken, now);
  if (!verified.ok || verified.claims.sessionId !== session.id || verified.claims.userId !== user.id) return null;
  const expiresAt = verified.claims.expiresAt;

  const replaced = await db().$transaction(async (tx) => {
    const next = await replaceSession(tx, { sessionId: session.id, userId: user.id }, 'lab_token_copied', meta, now);
    if (!next) return null;
    const copy = {
      ownerSessionId: next.session.id,
      copiedSessionId: session.id,
      sealedToken: sealToken(accessToken, user.id),
      createdAt: now,
      tokenExpiresAt: expiresAt,
      keepUntil: new Date(expiresAt.getTime() + KEEP_AFTER_EXPIRY_SECONDS * 1000),
    };
    // One copy per user: a new one replaces the last.
    await tx.labTokenCopy.upsert({ where: { userId: user.id }, create: { userId: user.id, ...copy }, update: copy });
    await recordSecurityEvent(
      {
        type: 'lab_token_copied',
        userId: user.id,
        sessionId: session.id,
        meta,
        now,
        detail: 'Signed this session out on the lab page and kept a server-side copy of its access token.',
      },
      tx,
    );
    return next;
  });
  if (!replaced) return null;
  noteLocalRevocation();
  const grant = { user, sessionId: replaced.session.id, refreshToken: replaced.refreshToken };
  (await issueSessionCookies(grant, now)).writeTo(request.cookies);
  return { sessionId: replaced.session.id };
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
