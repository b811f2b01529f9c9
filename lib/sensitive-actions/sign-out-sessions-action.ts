/**
 * Ending your other sessions from /sessions (ASVS 7.5.2): one by id, or all but this one. Revoking a
 * session is an account-security decision, so it goes through the checked path with step-up, like a
 * payment: a stolen access token alone must not be able to sign the real person out of their devices
 * (or keep a thief's copy alive while ending everyone else).
 *
 * The revocation takes effect at once where the app is stateful: the session row is revoked and its
 * unused refresh tokens are withdrawn (lib/session/session-store.ts `endSessionsTransaction`, which also tells this process's revocation list), so its next
 * renewal and its next sensitive action fail. Its access token still reads until it expires, by
 * design (the stateless tier). The row and the security event commit together.
 *
 * Insecure direct object reference: the session id comes from the form, so anyone can post any id.
 * The revocation matches only live sessions of the signed-in user other than the current one; a
 * session of another user, an unknown id and an already-ended session all match nothing and get the
 * same answer, which therefore reveals nothing about other accounts.
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import { describeDevice } from '../format/device';
import { endSessionsTransaction, liveAt } from '../session/session-store';
import { signOutSessionsSchema } from '../forms/validation';
import { actionError } from './action-result';
import { defineSensitiveAction, type SensitiveContext } from './checked-action';

export const SESSION_NOT_FOUND = 'That session has already ended or could not be found. Nothing was changed.';

export const signOutSessionsDefinition = defineSensitiveAction({
  schema: signOutSessionsSchema,
  requireRecentAuthentication: true,
  async handler(input, context) {
    if (input.scope === 'others') {
      const ended = await signOutOtherSessions(context);
      return {
        status: 'success',
        message: ended === 0 ? 'There were no other sessions to sign out.' : `Signed out ${ended} other session${ended === 1 ? '' : 's'}.`,
      };
    }
    const device = await signOutSession(context, input.sessionId);
    if (device === null) return actionError('refused', SESSION_NOT_FOUND);
    return { status: 'success', message: `Signed out ${device}.` };
  },
});

/** The signed-in user's live sessions other than the current one: all that this page may end. */
function othersOf({ user, session, now }: SensitiveContext) {
  return { userId: user.id, NOT: { id: session.id }, ...liveAt(now) };
}

/** Ends one other session; returns its device for the message, or null when nothing matched. */
async function signOutSession(context: SensitiveContext, sessionId: string): Promise<string | null> {
  const { user, session, now, meta } = context;
  return endSessionsTransaction(async (tx, end) => {
    // The write comes first (see lib/db/sqlite-adapter.ts): it takes the write lock at once.
    const ended = await end({ ...othersOf(context), id: sessionId }, 'revoked_by_user', now);
    if (ended === 0) return null;
    const target = await tx.session.findUniqueOrThrow({ where: { id: sessionId }, select: { userAgent: true, ipAddress: true } });
    const device = describeDevice(target.userAgent);
    await recordSecurityEvent(
      {
        type: 'session_revoked',
        userId: user.id,
        sessionId: session.id,
        meta,
        now,
        detail: `Signed out ${device}${target.ipAddress ? ` at ${target.ipAddress}` : ''}.`,
      },
      tx,
    );
    return device;
  });
}

/** Ends every other live session of the user; returns how many ended. */
async function signOutOtherSessions(context: SensitiveContext): Promise<number> {
  const { user, session, now, meta } = context;
  return endSessionsTransaction(async (tx, end) => {
    const ended = await end(othersOf(context), 'revoked_by_user', now);
    if (ended > 0) {
      await recordSecurityEvent(
        {
          type: 'other_sessions_revoked',
          userId: user.id,
          sessionId: session.id,
          meta,
          now,
          detail: `${ended} other session${ended === 1 ? '' : 's'} signed out from the sessions page.`,
        },
        tx,
      );
    }
    return ended;
  });
}
