/**
 * The rotation's reads and writes, each one statement or one transaction: the lookup of a presented
 * token (docs/decisions/0004-rotation-lookup-in-one-statement.md), the single-flight exchange for its
 * successor (docs/decisions/0001-refresh-token-rotation.md), a late sibling's walk to the live successor
 * (docs/decisions/0002-reuse-grace-window.md), and the revocation for reuse. What to do is decided in
 * ./rotation-decision.ts, never here.
 */
import 'server-only';
import { db } from '../db/client';
import { Prisma } from '../generated/prisma/client';
import { recordSecurityEvent } from '../audit/security-events';
import type { RequestMeta } from '../request/request-meta';
import { deriveSuccessorToken, hashRefreshToken } from '../tokens/refresh-token';
import type { SessionUser } from '../auth/user';
import type { BindingKind, PresentedToken } from './rotation-decision';
import { endSessionsTransaction } from './session-store';
import type { IssuedRefreshToken } from './session-types';

type PresentedTokenRow = {
  id: string;
  createdAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
  sessionId: string;
  expiresAt: Date;
  lastActiveAt: Date;
  sessionRevokedAt: Date | null;
  revokedReason: string | null;
  bindingKind: string;
  bindingPublicKey: string | null;
  keyProofNonce: string | null;
  userId: string;
  email: string;
  rotations: bigint | number;
  /** An aggregate: on SQLite it has no column type, so it comes back as stored, not as a Date (`asDate`). */
  lastRotatedAt: Date | string | number | null;
  recentRotations: bigint | number;
};

/**
 * The token, its session and user, and the session's rotations (all of them, the newest, and those
 * since `recentSince`), in ONE portable statement: quoted identifiers, plain joins, standard aggregates
 * grouped by primary keys, bound parameters (Prisma's tagged template, never string concatenation).
 * `r` ranges over the session's tokens (`t` among them, so the join always finds a row).
 */
export async function findPresentedToken(tokenHash: string, recentSince: Date): Promise<PresentedToken | null> {
  const rows = await db().$queryRaw<PresentedTokenRow[]>`
    SELECT t."id", t."rotatedAt", t."revokedAt", t."createdAt",
           s."id" AS "sessionId", s."expiresAt", s."lastActiveAt", s."revokedAt" AS "sessionRevokedAt", s."revokedReason",
           s."bindingKind", s."bindingPublicKey", s."keyProofNonce",
           u."id" AS "userId", u."email",
           COUNT(r."rotatedAt") AS "rotations",
           MAX(r."rotatedAt") AS "lastRotatedAt",
           COUNT(CASE WHEN r."rotatedAt" > ${recentSince} THEN 1 END) AS "recentRotations"
    FROM "RefreshToken" t
    JOIN "Session" s ON s."id" = t."sessionId"
    JOIN "User" u ON u."id" = s."userId"
    JOIN "RefreshToken" r ON r."sessionId" = s."id"
    WHERE t."tokenHash" = ${tokenHash}
    GROUP BY t."id", s."id", u."id"`;
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    createdAt: row.createdAt,
    rotatedAt: row.rotatedAt,
    revokedAt: row.revokedAt,
    session: {
      id: row.sessionId,
      expiresAt: row.expiresAt,
      lastActiveAt: row.lastActiveAt,
      revokedAt: row.sessionRevokedAt,
      revokedReason: row.revokedReason,
      user: { id: row.userId, email: row.email },
    },
    binding: { kind: bindingKindOf(row.bindingKind), publicKey: row.bindingPublicKey, nonce: row.keyProofNonce },
    rotations: { rotations: Number(row.rotations), lastRotatedAt: asDate(row.lastRotatedAt) },
    recentRotations: Number(row.recentRotations),
  };
}

/** A stored `bindingKind`; anything but the three this build knows fails closed (./rotation-decision.ts). */
function bindingKindOf(value: string): BindingKind {
  return value === 'none' || value === 'key_proof' || value === 'dbsc' ? value : 'unrecognised';
}

/**
 * A DateTime that went through an aggregate. PostgreSQL keeps the column's type, so Prisma gives a
 * Date; SQLite's result has no declared type, so Prisma gives the stored value (ISO 8601 text, or
 * milliseconds since the epoch if the adapter was set to store those), which `Date` parses either way.
 */
function asDate(value: Date | string | number | null): Date | null {
  if (value === null || value instanceof Date) return value;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`not a stored date: ${JSON.stringify(value)}`);
  return date;
}

/**
 * The single-flight step: consume the token (the atomic conditional update `rotatedAt IS NULL` that
 * picks exactly one winner), touch the session and insert the successor, in ONE batch transaction.
 * For a key-bound session the session's update also swaps the nonce the proof signed (one proof, one
 * renewal, across instances). An `update` that matches no row fails the batch (P2025) and rolls back
 * all three: then this returns null, having written nothing (tests/integration/refresh-rotation-batch.test.ts).
 */
export async function consumeToken(
  tokenId: string,
  sessionId: string,
  presented: string,
  now: Date,
  /** A key-bound session: the nonce the proof signed, swapped for the next in the same update. */
  nonce?: { from: string; to: string },
): Promise<IssuedRefreshToken | null> {
  const successor = deriveSuccessorToken(presented);
  try {
    const [, session] = await db().$transaction([
      db().refreshToken.update({
        where: { id: tokenId, rotatedAt: null, revokedAt: null },
        data: { rotatedAt: now },
        select: { id: true },
      }),
      db().session.update({
        where: { id: sessionId, revokedAt: null, ...(nonce && { keyProofNonce: nonce.from }) },
        data: { lastActiveAt: now, ...(nonce && { keyProofNonce: nonce.to }) },
        select: { expiresAt: true },
      }),
      db().refreshToken.create({
        data: { sessionId, tokenHash: hashRefreshToken(successor), createdAt: now },
        select: { id: true },
      }),
    ]);
    return { token: successor, expiresAt: session.expiresAt };
  } catch (error) {
    // P2025: a conditional update matched no row (consumed or withdrawn meanwhile, or the session ended).
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') return null;
    throw error;
  }
}

/** How far down a chain of successors a late sibling may follow (each step is one rotation in the window). */
const MAX_SUCCESSOR_STEPS = 4;

/**
 * The winner's result for a late sibling: walks predecessor -> successor -> ... while each link was
 * rotated within the grace window, and returns the first live one. Null when the chain is broken
 * (withdrawn, another session, or derived under a different key).
 */
export async function findLiveSuccessor(
  presented: string,
  sessionId: string,
  now: Date,
  reuseGraceMs: number,
): Promise<IssuedRefreshToken | null> {
  let token = presented;
  for (let step = 0; step < MAX_SUCCESSOR_STEPS; step++) {
    token = deriveSuccessorToken(token);
    const row = await db().refreshToken.findUnique({
      where: { tokenHash: hashRefreshToken(token) },
      select: { sessionId: true, rotatedAt: true, revokedAt: true, session: { select: { expiresAt: true } } },
    });
    if (!row || row.sessionId !== sessionId || row.revokedAt) return null;
    if (row.rotatedAt === null) return { token, expiresAt: row.session.expiresAt };
    if (now.getTime() - row.rotatedAt.getTime() > reuseGraceMs) return null;
  }
  return null;
}

/**
 * Reuse detected: the session and all its tokens are revoked, and the event commits with the
 * revocation (ASVS 16.3.3). A concurrent replay that finds the session already revoked writes
 * neither, so one theft is one event.
 */
export async function revokeForReuse(sessionId: string, user: SessionUser, meta: RequestMeta, now: Date): Promise<void> {
  await endSessionsTransaction(async (tx, end) => {
    if ((await end({ id: sessionId }, 'refresh_token_reuse', now)) === 0) return;
    await recordSecurityEvent(
      {
        type: 'refresh_token_reuse',
        userId: user.id,
        sessionId,
        meta,
        now,
        detail: 'A refresh token was presented again after it had been exchanged. The session was revoked.',
      },
      tx,
    );
  });
}
