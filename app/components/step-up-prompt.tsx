'use client';

import { useEffect, useRef } from 'react';
import { submitTo } from '@/lib/client/use-sensitive-action';
import type { ActionState } from '@/lib/sensitive-actions/action-result';
import { ActionStatus } from './action-status';
import { Field } from './field';

/**
 * "Confirm it is you": the password prompt of a step-up (lib/client/use-stepped-up-action.ts). Focus
 * moves to its password field when it appears, so keyboard and screen-reader users land where the
 * page now needs them. The typed password is cleared from the form as soon as it is sent.
 */
export function StepUpPrompt({
  message,
  confirmState,
  confirm,
  confirming,
  returnTo,
}: {
  message: string;
  confirmState: ActionState<undefined>;
  confirm: (data: FormData) => void;
  confirming: boolean;
  returnTo: string;
}) {
  const region = useRef<HTMLElement>(null);
  useEffect(() => {
    region.current?.querySelector('input')?.focus();
  }, []);
  const errors = confirmState.status === 'error' ? confirmState.fieldErrors : undefined;
  return (
    <section ref={region} className="card" aria-labelledby="confirm-heading">
      <h3 id="confirm-heading">Confirm it is you</h3>
      <p>{message}</p>
      <form onSubmit={submitTo(confirm, (_data, confirmForm) => confirmForm.reset())} noValidate>
        {/* Field errors show by the field; anything else (ended session, throttling) up here. */}
        {errors ? null : <ActionStatus state={confirmState} returnTo={returnTo} />}
        <Field label="Password" name="password" type="password" autoComplete="current-password" errors={errors?.password} />
        <button type="submit" disabled={confirming}>
          {confirming ? 'Confirming…' : 'Confirm'}
        </button>
      </form>
    </section>
  );
}
