'use client';

import { startTransition, useEffect, useRef } from 'react';
import { submitTo, useSensitiveAction } from '@/lib/client/use-sensitive-action';
import { ActionStatus } from '../components/action-status';
import { Field } from '../components/field';
import { confirmPasswordAction, sendPaymentAction } from './actions';

/**
 * The payment form and its step-up. When the server answers `reauth_required`, a password confirmation
 * appears; once it succeeds, the same payment is submitted again, so nothing has to be retyped
 * (ASVS 7.5.3). The submission keeps its idempotency key, so a retry can never pay twice.
 */
export function PaymentForm({ idempotencyKey }: { idempotencyKey: string }) {
  const [state, submit, pending] = useSensitiveAction(sendPaymentAction);
  const [confirmState, confirm, confirming] = useSensitiveAction(confirmPasswordAction);
  const form = useRef<HTMLFormElement>(null);
  const waitingPayment = useRef<FormData | null>(null);

  useEffect(() => {
    if (state.status === 'success') {
      form.current?.reset();
      waitingPayment.current = null;
    }
  }, [state]);

  useEffect(() => {
    const payment = waitingPayment.current;
    if (confirmState.status === 'success' && payment) startTransition(() => submit(payment));
  }, [confirmState, submit]);

  const needsConfirmation = state.status === 'error' && state.code === 'reauth_required';
  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  const confirmErrors = confirmState.status === 'error' ? confirmState.fieldErrors : undefined;

  return (
    <>
      <ActionStatus state={state} returnTo="/payments" handledElsewhere={['reauth_required']} />
      <form ref={form} onSubmit={submitTo(submit, (data) => (waitingPayment.current = data))} noValidate>
        <input type="hidden" name="idempotencyKey" value={idempotencyKey} readOnly />
        <Field label="Recipient" name="recipient" type="email" autoComplete="off" hint="Their email address." errors={errors?.recipient} />
        <Field label="Amount" name="amount" inputMode="decimal" autoComplete="off" hint="For example 12.50" errors={errors?.amount} />
        <button type="submit" disabled={pending || needsConfirmation}>
          {pending ? 'Sending…' : 'Send payment'}
        </button>
      </form>
      {needsConfirmation ? (
        <section className="card" aria-labelledby="confirm-heading">
          <h3 id="confirm-heading">Confirm it is you</h3>
          <p>{state.message}</p>
          <form onSubmit={submitTo(confirm, (_data, confirmForm) => confirmForm.reset())} noValidate>
            {/* Field errors show by the field; anything else (ended session, throttling) up here. */}
            {confirmErrors ? null : (
              <ActionStatus state={confirmState} returnTo="/payments" />
            )}
            <Field label="Password" name="password" type="password" autoComplete="current-password" errors={confirmErrors?.password} />
            <button type="submit" disabled={confirming}>
              {confirming ? 'Confirming…' : 'Confirm'}
            </button>
          </form>
        </section>
      ) : null}
    </>
  );
}
