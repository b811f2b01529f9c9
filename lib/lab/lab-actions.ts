/**
 * The /lab page's two actions, through the checked path like every action: only a live session of
 * the owner can make a copy or try one (lib/lab/token-copy.ts, lib/lab/copy-probes.ts).
 *
 * Neither writes a cookie or changes the caller's session: a caller here has shown nothing but an access
 * token, which may be a thief's copy (the checked path enforces it: lib/sensitive-actions/checked-action.ts).
 */
import 'server-only';
import { z } from 'zod';
import { actionError } from '../sensitive-actions/action-result';
import { defineSensitiveAction } from '../sensitive-actions/checked-action';
import { makeDemoCopy } from './token-copy';
import { probeCopy, type CopyProbes } from './copy-probes';
import { reserveLabCopy } from '../limits/rate-limit';

const NOTHING = z.object({});

export const KEPT_COPY =
  'Made a demonstration session, kept a copy of its access token and signed that session out. Your own session was not changed.';
export const NO_COPY = 'There is no copy to try. Make one first.';

/** Makes the copy, then tries it at once: with short test lifetimes there is no time for a second click. */
export const keepTokenCopyDefinition = defineSensitiveAction<typeof NOTHING, CopyProbes>({
  schema: NOTHING,
  async handler(_input, context) {
    // Each copy writes a session row and a security event: bounded per user, like every other writer.
    const reservation = await reserveLabCopy(context.user.id, context.now);
    if (!reservation.ok) {
      const minutes = Math.ceil(reservation.retryAfterSeconds / 60);
      return actionError('throttled', `You have made many copies recently. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
    }
    const { user, session, meta, now, headers } = context;
    await makeDemoCopy({ user, session, meta, now });
    const probes = await probeCopy({ userId: user.id, sessionId: session.id, email: user.email }, { headers, now: new Date() });
    return probes ? { status: 'success', message: KEPT_COPY, data: probes } : { status: 'success', message: KEPT_COPY };
  },
});

export const tryTokenCopyDefinition = defineSensitiveAction<typeof NOTHING, CopyProbes>({
  schema: NOTHING,
  async handler(_input, { user, session, headers, now }) {
    const probes = await probeCopy({ userId: user.id, sessionId: session.id, email: user.email }, { headers, now });
    if (!probes) return actionError('refused', NO_COPY);
    return { status: 'success', message: 'Tried the copy.', data: probes };
  },
});
