/**
 * What the lab's copied refresh cookie (./refresh-copy.ts) does, tried with the real rotation
 * (lib/session/rotate-refresh-token.ts) and read back from the database: from "another device" without
 * the key (refused, nothing consumed), from this browser with its key's proof (renewed), and from
 * another device with a key of its own (the demonstration session ends, with its event). Nothing a try
 * returns is a token. Why: docs/decisions/0108-the-labs-refresh-cookie-copy.md.
 */
import 'server-only';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { db } from '../db/client';
import type { RequestMeta } from '../request/request-meta';
import { hashRefreshToken } from '../tokens/refresh-token';
import { rotateRefreshToken, type RotationOutcome } from '../session/rotate-refresh-token';
import { endDemo, findRefreshCopy, keepRefreshToken, type RefreshCopyOwner } from './refresh-copy';

/** Who tried the copied refresh cookie. */
export type RefreshDevice = 'without_key' | 'this_browser' | 'own_key';

export type RefreshTry = {
  device: RefreshDevice;
  renewed: boolean;
  /** The rotation's answer: `rotated`, or the refusal's reason (`REFUSALS`, lib/session/rotation-decision.ts). */
  answer: string;
  /** Read back after the try: whether the presented refresh token was used up, and whether the session ended (and why). */
  tokenConsumed: boolean;
  sessionEndedWith: string | null;
  checkedAt: string;
};

export type RefreshTries = {
  tries: RefreshTry[];
  /** Whether the ending wrote its security event (`binding_proof_failed`), as a real one would. */
  endingEvent: boolean;
};

/** The one renewal the copy is tried with: `POST <origin>/api/auth/refresh`, the URL a proof must name. */
export const refreshUrl = (origin: string) => `${origin}/api/auth/refresh`;

async function tryRenewal(device: RefreshDevice, token: string, proof: string | undefined, origin: string, meta: RequestMeta, now: Date) {
  const outcome = await rotateRefreshToken(token, meta, now, { keyProof: { token: proof, url: refreshUrl(origin) } });
  const row = await db().refreshToken.findUnique({
    where: { tokenHash: hashRefreshToken(token) },
    select: { rotatedAt: true, session: { select: { revokedAt: true, revokedReason: true } } },
  });
  const result: RefreshTry = {
    device,
    renewed: outcome.status === 'rotated',
    answer: outcome.status === 'rejected' ? outcome.reason : outcome.status,
    tokenConsumed: row?.rotatedAt != null,
    sessionEndedWith: row?.session.revokedAt ? (row.session.revokedReason ?? 'ended') : null,
    checkedAt: now.toISOString(),
  };
  return { result, outcome };
}

/** Step one: "another device" presents the copied refresh token with no proof. Answers the nonce this browser signs next. */
export async function tryWithoutKey(owner: RefreshCopyOwner, origin: string, meta: RequestMeta, now: Date) {
  const copy = await findRefreshCopy(owner);
  if (!copy) return null;
  const { result } = await tryRenewal('without_key', copy.refreshToken, undefined, origin, meta, now);
  return { tryResult: result, nonce: await currentNonce(copy.demoSessionId) };
}

/**
 * Step two, then three, then the end: this browser's `proof` (its key, the demonstration's nonce), then
 * a proof from a key made here for the purpose, then the demonstration is signed out if still live and
 * its copy deleted. Null when `owner` has no demonstration.
 */
export async function tryWithKeys(owner: RefreshCopyOwner, proof: string, origin: string, meta: RequestMeta, now: Date): Promise<RefreshTries | null> {
  const copy = await findRefreshCopy(owner);
  if (!copy) return null;
  try {
    const own = await tryRenewal('this_browser', copy.refreshToken, proof, origin, meta, now);
    const current = renewedToken(own.outcome) ?? copy.refreshToken;
    if (current !== copy.refreshToken) await keepRefreshToken(owner, current);
    const nonce = await currentNonce(copy.demoSessionId);
    const other = await tryRenewal('own_key', current, await proofFromAnotherKey(refreshUrl(origin), nonce, now), origin, meta, now);
    const endingEvent = (await db().securityEvent.count({ where: { sessionId: copy.demoSessionId, type: 'binding_proof_failed' } })) > 0;
    return { tries: [own.result, other.result], endingEvent };
  } finally {
    await endDemo(owner, copy.demoSessionId, now);
  }
}

function renewedToken(outcome: RotationOutcome): string | undefined {
  return outcome.status === 'rotated' ? outcome.refreshToken.token : undefined;
}

async function currentNonce(demoSessionId: string): Promise<string | null> {
  const row = await db().session.findUnique({ where: { id: demoSessionId }, select: { keyProofNonce: true } });
  return row?.keyProofNonce ?? null;
}

/** A well-formed proof for the right request and nonce, signed by a key the session was never bound to: a thief's own. */
async function proofFromAnotherKey(url: string, nonce: string | null, now: Date): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const { kty, crv, x, y } = await exportJWK(publicKey);
  const claims = { jti: randomUUID(), htm: 'POST', htu: url, iat: Math.floor(now.getTime() / 1000), ...(nonce && { nonce }) };
  return new SignJWT(claims).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } }).sign(privateKey);
}
