'use client';

import { useEffect, useRef } from 'react';
import { submitTo } from '@/lib/client/use-sensitive-action';
import { useSteppedUpAction } from '@/lib/client/use-stepped-up-action';
import { ActionStatus } from '../components/action-status';
import { Field } from '../components/field';
import { StepUpPrompt } from '../components/step-up-prompt';
import { confirmPasswordAction, sendPaymentAction } from './actions';

/**
 * The payment form and its step-up. When the server answers `reauth_required`, a password confirmation
 * appears; once it succeeds, the same payment is submitted again, so nothing has to be retyped
 * (ASVS 7.5.3). The submission keeps its idempotency key, so a retry can never pay twice.
 */
export function PaymentForm({ idempotencyKey }: { idempotencyKey: string }) {
  const { state, submit, pending, confirmState, confirm, confirming, stepUpMessage } = useSteppedUpAction(
    sendPaymentAction,
    confirmPasswordAction,
  );
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (state.status === 'success') form.current?.reset();
  }, [state]);

  const errors = state.status === 'error' ? state.fieldErrors : undefined;

  return (
    <>
      <ActionStatus state={state} returnTo="/payments" handledElsewhere={['reauth_required']} />
      <form ref={form} onSubmit={submitTo(submit)} noValidate>
        <input type="hidden" name="idempotencyKey" value={idempotencyKey} readOnly />
        <Field label="Recipient" name="recipient" type="email" autoComplete="off" hint="Their email address." errors={errors?.recipient} />
        <Field label="Amount" name="amount" inputMode="decimal" autoComplete="off" hint="For example 12.50" errors={errors?.amount} />
        <button type="submit" disabled={pending || stepUpMessage !== null}>
          {pending ? 'Sending…' : 'Send payment'}
        </button>
      </form>
      {stepUpMessage !== null ? (
        <StepUpPrompt message={stepUpMessage} confirmState={confirmState} confirm={confirm} confirming={confirming} returnTo="/payments" />
      ) : null}
    </>
  );
}
