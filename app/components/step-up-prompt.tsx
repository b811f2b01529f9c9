'use client';

import { useEffect, useRef } from 'react';
import { focusFirstError } from '@/lib/client/focus-after-result';
import { submitTo } from '@/lib/client/use-sensitive-action';
import type { ActionState } from '@/lib/sensitive-actions/action-result';
import { ActionStatus } from './action-status';
import { Field, LiveRegion } from './field';

type StepUpPromptProps = {
  /** The server's `reauth_required` answer (`stepUp` of lib/client/use-stepped-up-action.ts), or null: no prompt. */
  stepUp: { message: string } | null;
  /** What confirming will do, shown in the prompt and describing its password field; defaults to the server's message. */
  summary?: React.ReactNode;
  /** What is announced as the prompt appears; defaults to "Confirm it is you." and the server's message. */
  announcement?: string;
  /** The label of the confirm button, e.g. "Confirm and send $7.00". */
  confirmLabel?: string;
  /** When given, a Cancel button that drops the waiting submission. */
  onCancel?: () => void;
  confirmState: ActionState<undefined>;
  confirm: (data: FormData) => void;
  confirming: boolean;
  returnTo: string;
};

/**
 * "Confirm it is you": the password prompt of a step-up (lib/client/use-stepped-up-action.ts). It is
 * announced in a live region as it appears, and focus moves to its password field (again on every new
 * request), so keyboard and screen-reader users land where the page now needs them. A refused password
 * puts focus back on the field with its error. The typed password is cleared from the form as soon as it is sent.
 *
 * Render it always (with `stepUp` null while nothing is asked): the live region must already be on the
 * page before its text appears for screen readers to announce it.
 */
export function StepUpPrompt({ stepUp, summary, announcement, ...prompt }: StepUpPromptProps) {
  return (
    <>
      <LiveRegion visuallyHidden>{stepUp ? (announcement ?? `Confirm it is you. ${stepUp.message}`) : null}</LiveRegion>
      {stepUp ? <PromptCard request={stepUp} summary={summary ?? stepUp.message} {...prompt} /> : null}
    </>
  );
}

function PromptCard({
  request,
  summary,
  confirmLabel = 'Confirm',
  onCancel,
  confirmState,
  confirm,
  confirming,
  returnTo,
}: Omit<StepUpPromptProps, 'stepUp' | 'announcement'> & { request: object }) {
  const region = useRef<HTMLElement>(null);
  useEffect(() => {
    region.current?.querySelector<HTMLInputElement>('input[name="password"]')?.focus();
  }, [request]);
  useEffect(() => {
    if (confirmState.status === 'error') focusFirstError(region.current);
  }, [confirmState]);
  const errors = confirmState.status === 'error' ? confirmState.fieldErrors : undefined;
  return (
    <section ref={region} className="card card-emphasis" aria-labelledby="confirm-heading">
      <h3 id="confirm-heading">Confirm it is you</h3>
      <p id="confirm-summary">{summary}</p>
      <form onSubmit={submitTo(confirm, (_data, confirmForm) => confirmForm.reset())} noValidate aria-label="Confirm it is you">
        {/* Field errors show by the field; anything else (ended session, throttling) up here. */}
        {errors ? null : <ActionStatus state={confirmState} returnTo={returnTo} />}
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          errors={errors?.password}
          describedBy="confirm-summary"
        />
        <div className="actions">
          <button type="submit" disabled={confirming} aria-busy={confirming || undefined}>
            {confirming ? 'Confirming…' : confirmLabel}
          </button>
          {onCancel ? (
            <button type="button" className="secondary" onClick={onCancel}>
              Cancel
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
