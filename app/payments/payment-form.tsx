'use client';

import { useEffect, useRef } from 'react';
import { centsOf, formatCents } from '@/lib/format/money';
import { useFocusOnFailure } from '@/lib/client/focus-after-result';
import { submitTo } from '@/lib/client/use-sensitive-action';
import { useSteppedUpAction } from '@/lib/client/use-stepped-up-action';
import { ActionStatus } from '../components/action-status';
import { Field } from '../components/field';
import { StepUpPrompt } from '../components/step-up-prompt';
import { confirmPasswordAction, sendPaymentAction } from './actions';

/** "$7.00" for a well-formed amount, else the text as typed (the server will say what is wrong with it). */
function amountForPeople(text: string): string {
  const cents = centsOf(text.trim());
  return cents === null || !Number.isFinite(cents) ? text : formatCents(cents);
}

/**
 * The payment form and its step-up. When the server answers `reauth_required`, a password confirmation
 * appears; once it succeeds, the same payment is submitted again, so nothing has to be retyped
 * (ASVS 7.5.3; lib/client/use-stepped-up-action.ts and app/components/step-up-prompt.tsx, shared with
 * /sessions). The submission keeps its idempotency key, so a retry can never pay twice.
 *
 * What is confirmed is exactly what is on screen, never an amount edited while the prompt waited: from the
 * moment a payment is submitted until it is answered or cancelled, its fields are read-only, and the prompt
 * names the amount and recipient it will send. Cancel drops the waiting payment and unlocks the form.
 */
export function PaymentForm({ idempotencyKey }: { idempotencyKey: string }) {
  const { state, submit, pending, waiting, cancel, confirmState, confirm, confirming, stepUp } = useSteppedUpAction(
    sendPaymentAction,
    confirmPasswordAction,
  );
  const area = useRef<HTMLDivElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const sendButton = useRef<HTMLButtonElement>(null);
  const locked = pending || stepUp !== null;

  useEffect(() => {
    if (state.status === 'success') {
      form.current?.reset();
      sendButton.current?.focus();
    }
  }, [state]);

  useFocusOnFailure(area, state.status === 'error' && state.code !== 'reauth_required' ? state : null);

  function cancelPayment() {
    cancel();
    form.current?.querySelector<HTMLInputElement>('input[name="amount"]')?.focus();
  }

  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const recipient = String(waiting?.get('recipient') ?? '');
  const amount = amountForPeople(String(waiting?.get('amount') ?? ''));

  return (
    <div ref={area} className="form-width">
      <ActionStatus state={state} returnTo="/payments" handledElsewhere={['reauth_required']} />
      <form ref={form} onSubmit={submitTo(submit)} noValidate aria-label="Send a payment">
        <input type="hidden" name="idempotencyKey" value={idempotencyKey} readOnly />
        <Field
          label="Recipient"
          name="recipient"
          type="email"
          autoComplete="off"
          hint="Their email address."
          errors={errors?.recipient}
          readOnly={locked}
        />
        <Field
          label="Amount"
          name="amount"
          inputMode="decimal"
          autoComplete="off"
          hint="In dollars, for example 12.50"
          errors={errors?.amount}
          readOnly={locked}
        />
        <div className="actions">
          <button ref={sendButton} type="submit" disabled={locked} aria-busy={pending || undefined}>
            {pending ? 'Sending…' : 'Send payment'}
          </button>
        </div>
      </form>
      <StepUpPrompt
        stepUp={stepUp}
        summary={
          <>
            To send <strong>{amount}</strong> to <strong>{recipient}</strong>, enter your password. You last entered it too
            long ago for a payment.
          </>
        }
        announcement={`Confirm it is you. To send ${amount} to ${recipient}, enter your password.`}
        confirmLabel={`Confirm and send ${amount}`}
        onCancel={cancelPayment}
        confirmState={confirmState}
        confirm={confirm}
        confirming={confirming}
        returnTo="/payments"
      />
    </div>
  );
}
