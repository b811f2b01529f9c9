/**
 * Step-up (ASVS 7.5.3): confirm the password, so that an action that needs a recent password entry (a
 * payment) can proceed; wrong confirmations count toward the in-session limit (./password-entry.ts).
 * The credit goes to a new session, not to the one the request came in (ASVS 7.2.4), which ends
 * (`reauthenticated`). Why: docs/decisions/0058-new-session-on-password-entry.md.
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import { actionError } from './action-result';
import { SESSION_ENDED } from '../forms/messages';
import { defineSensitiveAction } from './checked-action';
import { refuseWrongPasswordEntry } from './password-entry';
import { issueSessionCookies, replacementGrant } from '../tokens/issue-session-cookies';
import { endSessionsTransaction, replaceSession } from '../session/session-store';
import { confirmPasswordSchema } from '../forms/validation';

const PASSWORD_CONFIRMED = 'Password confirmed';

export const confirmPasswordDefinition = defineSensitiveAction({
  schema: confirmPasswordSchema,
  async handler(input, context) {
    const { user, session, now, meta, cookies } = context;
    const refused = await refuseWrongPasswordEntry(context, input.password, {
      field: 'password',
      formMessage: 'That password is not correct.',
      fieldMessage: 'That password is not correct.',
    });
    if (refused) return refused;
    // The new session and its event commit together: no credit without its record, no record without the credit.
    const stepped = await endSessionsTransaction(async (tx) => {
      const replaced = await replaceSession(tx, { sessionId: session.id, userId: user.id }, 'reauthenticated', meta, now);
      if (!replaced) return null;
      await recordSecurityEvent({ type: 'step_up_succeeded', userId: user.id, sessionId: replaced.session.id, meta, now }, tx);
      return replaced;
    });
    // The session was ended between the check and here (logout, reuse detection elsewhere): nothing changed.
    if (!stepped) return actionError('session_ended', SESSION_ENDED);
    (await issueSessionCookies(replacementGrant(user, stepped.session, stepped.refreshToken), now)).writeTo(cookies);
    return { status: 'success', message: PASSWORD_CONFIRMED };
  },
});
