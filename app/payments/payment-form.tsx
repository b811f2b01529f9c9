'use client';

import { startTransition, useEffect, useRef, useState } from 'react';
import { amountProblem, centsOf, formatCents } from '@/lib/format/money';
import { normaliseEmail, typedEmailProblem } from '@/lib/forms/email-rules';
import { checkFields } from '@/lib/client/use-json-form';
import type { FieldErrors } from '@/lib/forms/validation';
import { KEY_NOT_SHOWN_PASSWORD_REQUIRED } from '@/lib/forms/messages';
import { useFocusOnFailure } from '@/lib/client/focus-after-result';
import { useSteppedUpAction } from '@/lib/client/use-stepped-up-action';
import { ActionStatus } from '../components/action-status';
import { Field } from '../components/field';
import { StepUpPrompt } from '../components/step-up-prompt';
import { confirmPasswordAction, sendPaymentAction } from './actions';

/** "$7.00": the form only ever waits on an amount that passed `amountProblem`. */
function amountForPeople(text: string): string {
  const cents = centsOf(text.trim());
  return cents === null || !Number.isFinite(cents) ? text : formatCents(cents);
}

/**
 * The server schema's rules (lib/payments/send-payment.ts), run in the browser first, so a wrong amount
 * or address is told beside its field before any password is asked for. The server still checks.
 */
function problemsOf(data: FormData): FieldErrors | null {
  const values = { recipient: String(data.get('recipient') ?? ''), amount: String(data.get('amount') ?? '') };
  return checkFields(values, { recipient: typedEmailProblem, amount: amountProblem });
}

/**
 * The payment form and its step-up. The fields are checked in the browser first, with the server's
 * rules: only a payment that could be sent is submitted, so a step-up prompt never asks for a password
 * to confirm an amount that will be refused anyway. When the server answers `reauth_required`, a
 * password confirmation appears; once it succeeds, the same payment is submitted again, so nothing has to be retyped
 * (ASVS 7.5.3; lib/client/use-stepped-up-action.ts and app/components/step-up-prompt.tsx, shared with
 * /sessions). A session not bound to this browser is asked every time (`password_required`), and its
 * password goes with the payment itself. The submission keeps its idempotency key, so a retry can never pay twice.
 *
 * What is confirmed is exactly what is on screen, never an amount edited while the prompt waited: from the
 * moment a payment is submitted until it is answered or cancelled, its fields are read-only, and the prompt
 * names the amount and recipient it will send. Cancel drops the waiting payment and unlocks the form.
 */
export function PaymentForm({ idempotencyKey }: { idempotencyKey: string }) {
  const { state, formState, submit, pending, waiting, cancel, confirmState, confirm, confirming, stepUp } = useSteppedUpAction(
    sendPaymentAction,
    confirmPasswordAction,
  );
  const area = useRef<HTMLDivElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const sendButton = useRef<HTMLButtonElement>(null);
  const locked = pending || stepUp !== null;
  // The browser's answer to the latest submit, when it stopped it; cleared by the next one that passes.
  const [checked, setChecked] = useState<FieldErrors | null>(null);

  useEffect(() => {
    if (state.status === 'success') {
      form.current?.reset();
      sendButton.current?.focus();
    }
  }, [state]);

  useFocusOnFailure(area, formState.status === 'error' && formState.code !== 'reauth_required' ? formState : null);
  useFocusOnFailure(area, checked);

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const problems = problemsOf(data);
    setChecked(problems);
    if (!problems) startTransition(() => submit(data));
  }

  function cancelPayment() {
    cancel();
    form.current?.querySelector<HTMLInputElement>('input[name="amount"]')?.focus();
  }

  // A stopped submit shows only its own messages: the server's answer to an earlier one is stale.
  const errors = checked ?? (formState.status === 'error' ? formState.fieldErrors : undefined);
  const recipient = normaliseEmail(String(waiting?.get('recipient') ?? ''));
  const amount = amountForPeople(String(waiting?.get('amount') ?? ''));

  return (
    <div ref={area} className="form-width">
      <ActionStatus state={checked ? { status: 'idle' } : formState} returnTo="/payments" handledElsewhere={['reauth_required', 'password_required']} />
      <form ref={form} onSubmit={onSubmit} noValidate aria-label="Send a payment">
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
            To send <strong>{amount}</strong> to <strong>{recipient}</strong>, enter your password.{' '}
            {stepUp?.code === 'password_required'
              ? stepUp.message === KEY_NOT_SHOWN_PASSWORD_REQUIRED
                ? 'This browser did not show the key this session is bound to, so this payment needs your password.'
                : 'This session is not bound to this browser, so every payment asks for your password.'
              : 'You last entered it too long ago for a payment.'}
          </>
        }
        announcement={`Confirm it is you. To send ${amount} to ${recipient}, enter your password.${
          stepUp?.code !== 'password_required'
            ? ''
            : stepUp.message === KEY_NOT_SHOWN_PASSWORD_REQUIRED
              ? ' This browser did not show the key this session is bound to.'
              : ' This session is not bound to this browser, so every payment asks for it.'
        }`}
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
