/**
 * Ending your other sessions from /sessions (ASVS 7.5.2): one by id, or all but this one, through the
 * checked path with step-up, so a stolen access token alone cannot sign the real person out of their
 * devices. Takes effect at once for renewals and sensitive actions; the access token reads until it
 * expires. The id comes from the form (IDOR): only the user's own other live sessions match, and every
 * other id gets the same answer. Why: docs/decisions/0061-ending-other-sessions.md.
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
