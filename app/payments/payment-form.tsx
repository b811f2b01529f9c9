'use client';

import { startTransition, useEffect, useRef } from 'react';
import { useSensitiveAction } from '@/lib/client/use-sensitive-action';
import { Field, FormMessage } from '../components/field';
import { SessionEnded } from '../components/session-ended';
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
  const pendingPayment = useRef<FormData | null>(null);

  useEffect(() => {
    if (state.status === 'success') {
      form.current?.reset();
      pendingPayment.current = null;
    }
  }, [state]);

  useEffect(() => {
    if (confirmState.status === 'success' && pendingPayment.current) {
      const payment = pendingPayment.current;
      startTransition(() => submit(payment));
    }
  }, [confirmState, submit]);

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    pendingPayment.current = data;
    startTransition(() => submit(data));
  }

  function onConfirm(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    event.currentTarget.reset();
    startTransition(() => confirm(data));
  }

  const needsConfirmation = state.status === 'error' && state.code === 'reauth_required';
  const sessionEnded =
    (state.status === 'error' && state.code === 'session_ended') ||
    (confirmState.status === 'error' && confirmState.code === 'session_ended');
  const errors = state.status === 'error' ? state.fieldErrors : undefined;

  return (
    <>
      {sessionEnded ? <SessionEnded returnTo="/payments" /> : null}
      {state.status === 'success' ? <FormMessage kind="success">{state.message}</FormMessage> : null}
      {state.status === 'error' && !needsConfirmation && !sessionEnded ? (
        <FormMessage kind="error">{state.message}</FormMessage>
      ) : null}
      <form ref={form} onSubmit={onSubmit} noValidate>
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
          <form onSubmit={onConfirm} noValidate>
            {confirmState.status === 'error' && confirmState.code !== 'session_ended' && !confirmState.fieldErrors ? (
              <FormMessage kind="error">{confirmState.message}</FormMessage>
            ) : null}
            <Field
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              errors={confirmState.status === 'error' ? confirmState.fieldErrors?.password : undefined}
            />
            <button type="submit" disabled={confirming}>
              {confirming ? 'Confirming…' : 'Confirm'}
            </button>
          </form>
        </section>
      ) : null}
    </>
  );
}
