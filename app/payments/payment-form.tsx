'use client';

import { startTransition, useEffect, useRef, useState } from 'react';
import { centsOf, formatCents } from '@/lib/format/money';
import { focusFirstError, useFocusOnFailure } from '@/lib/client/focus-after-result';
import { submitTo, useSensitiveAction } from '@/lib/client/use-sensitive-action';
import type { ActionState } from '@/lib/sensitive-actions/action-result';
import { ActionStatus } from '../components/action-status';
import { Field, LiveRegion } from '../components/field';
import { confirmPasswordAction, sendPaymentAction } from './actions';

/** "$7.00" for a well-formed amount, else the text as typed (the server will say what is wrong with it). */
function amountForPeople(text: string): string {
  const cents = centsOf(text.trim());
  return cents === null || !Number.isFinite(cents) ? text : formatCents(cents);
}

/**
 * The payment form and its step-up. When the server answers `reauth_required`, a password confirmation
 * appears; once it succeeds, the same payment is submitted again, so nothing has to be retyped
 * (ASVS 7.5.3). The submission keeps its idempotency key, so a retry can never pay twice.
 *
 * What is confirmed is exactly what is on screen (issue 11, defect 1): from the moment a payment is
 * submitted until it is answered or cancelled, its fields are read-only, and the prompt names the
 * amount and recipient it will send. Cancel drops the waiting payment and unlocks the form.
 */
export function PaymentForm({ idempotencyKey }: { idempotencyKey: string }) {
  const [state, submit, pending] = useSensitiveAction(sendPaymentAction);
  const [confirmState, confirm, confirming] = useSensitiveAction(confirmPasswordAction);
  const [waiting, setWaiting] = useState<FormData | null>(null);
  const [cancelled, setCancelled] = useState<ActionState | null>(null);
  const area = useRef<HTMLDivElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const prompt = useRef<HTMLElement>(null);
  const sendButton = useRef<HTMLButtonElement>(null);

  const needsConfirmation = state.status === 'error' && state.code === 'reauth_required' && state !== cancelled && waiting !== null;
  const locked = pending || needsConfirmation;

  useEffect(() => {
    if (state.status === 'success') {
      form.current?.reset();
      setWaiting(null);
      sendButton.current?.focus();
    }
  }, [state]);

  useEffect(() => {
    if (confirmState.status === 'success' && waiting) startTransition(() => submit(waiting));
    // Only a new confirmation answer sends the waiting payment, never a change of `waiting` alone.
  }, [confirmState, submit]);

  // The prompt takes focus when it appears: its password field, whose description is the prompt's text.
  useEffect(() => {
    if (needsConfirmation) prompt.current?.querySelector<HTMLInputElement>('input[name="password"]')?.focus();
  }, [needsConfirmation, state]);

  useFocusOnFailure(area, state.status === 'error' && state.code !== 'reauth_required' ? state : null);
  useEffect(() => {
    if (confirmState.status === 'error') focusFirstError(prompt.current);
  }, [confirmState]);

  function cancel() {
    setCancelled(state);
    setWaiting(null);
    form.current?.querySelector<HTMLInputElement>('input[name="amount"]')?.focus();
  }

  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const confirmErrors = confirmState.status === 'error' ? confirmState.fieldErrors : undefined;
  const recipient = String(waiting?.get('recipient') ?? '');
  const amount = amountForPeople(String(waiting?.get('amount') ?? ''));

  return (
    <div ref={area} className="form-width">
      <ActionStatus state={state} returnTo="/payments" handledElsewhere={['reauth_required']} />
      {/* The prompt is announced as it appears; focus moves into it as well. */}
      <LiveRegion visuallyHidden>{needsConfirmation ? `Confirm it is you. To send ${amount} to ${recipient}, enter your password.` : null}</LiveRegion>
      <form
        ref={form}
        onSubmit={submitTo(submit, (data) => {
          setWaiting(data);
          setCancelled(null);
        })}
        noValidate
        aria-label="Send a payment"
      >
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
      {needsConfirmation ? (
        <section ref={prompt} className="card card-emphasis" aria-labelledby="confirm-heading">
          <h3 id="confirm-heading">Confirm it is you</h3>
          <p id="confirm-summary">
            To send <strong>{amount}</strong> to <strong>{recipient}</strong>, enter your password. You last entered it
            too long ago for a payment.
          </p>
          <form onSubmit={submitTo(confirm, (_data, confirmForm) => confirmForm.reset())} noValidate aria-label="Confirm it is you">
            {/* Field errors show by the field; anything else (ended session, throttling) up here. */}
            {confirmErrors ? null : <ActionStatus state={confirmState} returnTo="/payments" />}
            <Field
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              errors={confirmErrors?.password}
              describedBy="confirm-summary"
            />
            <div className="actions">
              <button type="submit" disabled={confirming} aria-busy={confirming || undefined}>
                {confirming ? 'Confirming…' : `Confirm and send ${amount}`}
              </button>
              <button type="button" className="secondary" onClick={cancel}>
                Cancel
              </button>
            </div>
          </form>
        </section>
      ) : null}
    </div>
  );
}
