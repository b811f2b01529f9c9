/** Payments through the checked path, with step-up: a recent password entry is required. */
import 'server-only';
import { actionError } from './action-result';
import { formatCents } from '../payments/money';
import { tryAgainIn } from '../forms/messages';
import { paymentSchema, sendPayment } from '../payments/send-payment';
import { defineSensitiveAction } from './checked-action';

const REFUSALS = {
  self_payment: { field: 'recipient', message: 'You cannot send a payment to yourself.' },
  unknown_recipient: { field: 'recipient', message: 'There is no account with that email address.' },
  insufficient_funds: { field: 'amount', message: 'Your balance is too low for this payment.' },
  key_reused: { field: null, message: 'This form was already used for a different payment. Reload the page to send another.' },
} as const;

export const sendPaymentDefinition = defineSensitiveAction({
  schema: paymentSchema,
  requireRecentAuthentication: true,
  async handler(input, { user, session, now, meta }) {
    const result = await sendPayment(user.id, input, now, { sessionId: session.id, meta });
    if (!result.ok && result.reason === 'throttled') {
      return actionError('throttled', `Too many payments to unknown recipients. ${tryAgainIn(result.retryAfterSeconds)}`);
    }
    if (!result.ok) {
      const refusal = REFUSALS[result.reason];
      return actionError('refused', refusal.message, refusal.field ? { [refusal.field]: [refusal.message] } : undefined);
    }
    const { payment } = result;
    return { status: 'success', message: `Sent ${formatCents(payment.amountCents)} to ${payment.recipientEmail}.` };
  },
});
