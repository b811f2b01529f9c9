/**
 * Step-up (ASVS 7.5.3): confirm the password, so that an action that needs a recent password entry (a
 * payment) can proceed. Wrong confirmations count toward the sign-in limit.
 *
 * The credit goes to a new session, not to the one the request came in (ASVS 7.2.4, new token on
 * re-authentication): a thief holding a copy of this browser's cookies would otherwise be credited with
 * the password the real person just typed, and pay with it. The old session ends (reason
 * `reauthenticated`) and only this response carries the new session's tokens
 * (lib/session/session-store.ts, `replaceSession`).
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import { checkPasswordInSession } from '../auth/check-password';
import { db } from '../db/client';
import { actionError } from './action-result';
import { SESSION_ENDED, TOO_MANY_ATTEMPTS } from '../messages';
import { defineSensitiveAction } from './checked-action';
import { issueSessionCookies } from '../session/issue-session-cookies';
import { replaceSession } from '../session/session-store';
import { confirmPasswordSchema } from '../validation';

const PASSWORD_CONFIRMED = 'Password confirmed';

export const confirmPasswordDefinition = defineSensitiveAction({
  schema: confirmPasswordSchema,
  async handler(input, { user, session, now, meta, cookies }) {
    // Limited per session, not per email: anonymous guesses cannot lock the owner out here (finding 8).
    const check = await checkPasswordInSession({ userId: user.id, sessionId: session.id }, input.password, now);
    if (!check.ok) {
      // A refused attempt writes nothing, so hammering cannot grow the event table (finding 5).
      if (check.reason === 'throttled') return actionError('throttled', TOO_MANY_ATTEMPTS);
      await recordSecurityEvent({ type: 'step_up_failed', userId: user.id, sessionId: session.id, meta, now });
      return actionError('invalid_input', 'That password is not correct.', { password: ['That password is not correct.'] });
    }
    // The new session and its event commit together: no credit without its record, no record without the credit.
    const stepped = await db().$transaction(async (tx) => {
      const replaced = await replaceSession(tx, { sessionId: session.id, userId: user.id }, 'reauthenticated', meta, now);
      if (!replaced) return null;
      await recordSecurityEvent({ type: 'step_up_succeeded', userId: user.id, sessionId: replaced.session.id, meta, now }, tx);
      return replaced;
    });
    // The session was ended between the check and here (logout, reuse detection elsewhere): nothing changed.
    if (!stepped) return actionError('session_ended', SESSION_ENDED);
    (await issueSessionCookies({ user, sessionId: stepped.session.id, refreshToken: stepped.refreshToken }, now)).writeTo(cookies);
    return { status: 'success', message: PASSWORD_CONFIRMED };
  },
});
