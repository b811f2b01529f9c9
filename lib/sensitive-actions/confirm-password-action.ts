/**
 * Step-up (ASVS 7.5.3): confirm the password in this session, so that an action that needs a recent
 * password entry (a payment) can proceed. Wrong confirmations count toward the sign-in limit.
 */
import 'server-only';
import { recordSecurityEvent } from '../audit/security-events';
import { checkPassword } from '../auth/check-password';
import { actionError } from './action-result';
import { TOO_MANY_ATTEMPTS } from '../messages';
import { defineSensitiveAction } from './checked-action';
import { markReauthenticated } from '../session/session-store';
import { confirmPasswordSchema } from '../validation';

export const confirmPasswordDefinition = defineSensitiveAction({
  schema: confirmPasswordSchema,
  async handler(input, { user, session, now, meta }) {
    const check = await checkPassword(user.email, input.password, now);
    if (!check.ok) {
      await recordSecurityEvent({ type: 'step_up_failed', userId: user.id, sessionId: session.id, meta, now });
      if (check.reason === 'throttled') return actionError('throttled', TOO_MANY_ATTEMPTS);
      return actionError('invalid_input', 'That password is not correct.', { password: ['That password is not correct.'] });
    }
    await markReauthenticated(session.id, now);
    await recordSecurityEvent({ type: 'step_up_succeeded', userId: user.id, sessionId: session.id, meta, now });
    return { status: 'success', message: 'Password confirmed' };
  },
});
