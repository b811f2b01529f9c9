/**
 * The /lab page's actions, through the checked path like every action: only a live session of
 * the owner can make a copy or try one (lib/lab/token-copy.ts, lib/lab/copy-probes.ts).
 *
 * Neither writes a cookie or changes the caller's session: a caller here has shown nothing but an access
 * token, which may be a thief's copy (the checked path enforces it: lib/sensitive-actions/checked-action.ts).
 * The probes replay this request's own headers, as a thief on a copied browser would send them; the lab
 * reads them itself, so the checked path carries nothing for it (docs/decisions/0022-the-lab-composes-the-core.md).
 */
import 'server-only';
import { headers } from 'next/headers';
import { z } from 'zod';
import { actionError } from '../sensitive-actions/action-result';
import { LAB_KEY_NOT_HERE } from '../forms/messages';
import { defineSensitiveAction, type SensitiveContext, type SensitiveRequest } from '../sensitive-actions/checked-action';
import { makeDemoCopy } from './token-copy';
import { probeCopy, type CopyProbes } from './copy-probes';
import { reserveLabCopy } from '../limits/rate-limit';
import { expectedOrigin } from '../request/origin';
import { makeBoundDemo } from './refresh-copy';
import { hasPageKey } from '../sensitive-actions/page-key';
import { tryWithKeys, tryWithoutKey, type RefreshTries, type RefreshTry } from './refresh-tries';

const NOTHING = z.object({});

export const KEPT_COPY =
  'Made a demonstration session, kept a copy of its access token and signed that session out. Your own session was not changed.';
export const NO_COPY = 'There is no copy to try. Make one first.';
export const UNBOUND =
  'This page holds no key this session was bound to at sign-in, so there is no key to show. Sign in again through the sign-in form to try it.';
export const NO_DEMO = 'The demonstration has ended. Press the button again to start a new one.';

/** The renewal proof the page signed with its key for the demonstration: a compact JWS, bounded like the renewal's `DPoP` header. */
const PROOF = z.object({ proof: z.string().min(1).max(4096) });

/** Why a request that showed no page key is refused: the session has none, or this page did not prove it holds it. */
function keyRefusal(session: SensitiveContext['session']) {
  return actionError('refused', hasPageKey(session) ? LAB_KEY_NOT_HERE : UNBOUND);
}

/** This request's headers: next/headers in a server action; tests hand in a request of their own. */
export type RequestHeaders = () => Promise<SensitiveRequest['headers']>;

/** The two definitions, reading the request's headers through `requestHeaders`. */
export function labActionDefinitions(requestHeaders: RequestHeaders = headers) {
  /** Makes the copy, then tries it at once: with short test lifetimes there is no time for a second click. */
  const keepTokenCopyDefinition = defineSensitiveAction<typeof NOTHING, CopyProbes>({
    schema: NOTHING,
    async handler(_input, { user, session, pageKey, meta, now }) {
      // A session bound to its page's key acts with that key: a copied access token alone cannot make
      // copies in its name (each writes on the owner's /activity and spends the owner's allowance).
      if (hasPageKey(session) && !pageKey) return keyRefusal(session);
      // Each copy writes a session row and a security event: bounded per user, like every other writer.
      const reservation = await reserveLabCopy(user.id, now);
      if (!reservation.ok) {
        const minutes = Math.ceil(reservation.retryAfterSeconds / 60);
        return actionError('throttled', `You have made many copies recently. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
      }
      await makeDemoCopy({ user, session, meta, now });
      const owner = { userId: user.id, sessionId: session.id, email: user.email };
      const probes = await probeCopy(owner, { headers: await requestHeaders(), now: new Date() });
      return probes ? { status: 'success', message: KEPT_COPY, data: probes } : { status: 'success', message: KEPT_COPY };
    },
  });

  const tryTokenCopyDefinition = defineSensitiveAction<typeof NOTHING, CopyProbes>({
    schema: NOTHING,
    async handler(_input, { user, session, now }) {
      const owner = { userId: user.id, sessionId: session.id, email: user.email };
      const probes = await probeCopy(owner, { headers: await requestHeaders(), now });
      if (!probes) return actionError('refused', NO_COPY);
      return { status: 'success', message: 'Tried the copy.', data: probes };
    },
  });

  /**
   * The refresh-cookie experiment, step one: the checked path has verified the page's proof of holding
   * the session's key (`pageKey`); the server makes a demonstration session bound to it (refresh token
   * kept sealed) and tries that token from "another device" with no proof. Answers the first try and the
   * nonce this browser signs next.
   */
  const startRefreshCopyDefinition = defineSensitiveAction<typeof NOTHING, { tryResult: RefreshTry; nonce: string }>({
    schema: NOTHING,
    async handler(_input, { user, session, pageKey, meta, now }) {
      const origin = expectedOrigin(await requestHeaders());
      if (!origin) return actionError('refused', NO_DEMO);
      if (!pageKey) return keyRefusal(session);
      const reservation = await reserveLabCopy(user.id, now);
      if (!reservation.ok) {
        const minutes = Math.ceil(reservation.retryAfterSeconds / 60);
        return actionError('throttled', `You have made many copies recently. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
      }
      await makeBoundDemo({ user, session, key: pageKey, meta, now });
      const started = await tryWithoutKey({ userId: user.id, sessionId: session.id }, origin, meta, now);
      if (!started?.nonce) return actionError('refused', NO_DEMO);
      return { status: 'success', message: 'Tried the copied refresh cookie without the key.', data: { tryResult: started.tryResult, nonce: started.nonce } };
    },
  });

  /**
   * Step two and three: this browser's `proof` on the demonstration's nonce, then another key's; then the
   * demonstration ends. The request must show the page key, as in step one: a copied access token with
   * a key of its own would otherwise end the owner's demonstration halfway.
   */
  const finishRefreshCopyDefinition = defineSensitiveAction<typeof PROOF, RefreshTries>({
    schema: PROOF,
    async handler({ proof }, { user, session, pageKey, meta, now }) {
      const origin = expectedOrigin(await requestHeaders());
      if (!origin) return actionError('refused', NO_DEMO);
      if (!pageKey) return keyRefusal(session);
      const tries = await tryWithKeys({ userId: user.id, sessionId: session.id }, proof, origin, meta, now);
      if (!tries) return actionError('refused', NO_DEMO);
      return { status: 'success', message: 'Tried the copied refresh cookie with keys.', data: tries };
    },
  });

  return { keepTokenCopyDefinition, tryTokenCopyDefinition, startRefreshCopyDefinition, finishRefreshCopyDefinition };
}

export const { keepTokenCopyDefinition, tryTokenCopyDefinition, startRefreshCopyDefinition, finishRefreshCopyDefinition } =
  labActionDefinitions();
