'use client';
/**
 * A sensitive action that may need a recent password entry (step-up, ASVS 7.5.3), with its password
 * confirmation. When the action answers `reauth_required`, the page shows a prompt
 * (app/components/step-up-prompt.tsx); once the password is confirmed, the waiting submission is sent
 * again as it was, so nothing has to be retyped or clicked twice. Payments and /sessions use it.
 *
 * Resending is safe: a `reauth_required` answer means nothing ran, and payments carry an idempotency key.
 */
import { startTransition, useCallback, useEffect, useRef } from 'react';
import type { ActionState } from '../sensitive-actions/action-result';
import { useSensitiveAction } from './use-sensitive-action';

type ServerAction<T> = (previous: ActionState<T>, formData: FormData) => Promise<ActionState<T>>;

export function useSteppedUpAction<T>(action: ServerAction<T>, confirmAction: ServerAction<undefined>) {
  const [state, dispatch, pending] = useSensitiveAction(action);
  const [confirmState, confirm, confirming] = useSensitiveAction(confirmAction);
  const waiting = useRef<FormData | null>(null);

  useEffect(() => {
    if (state.status === 'success') waiting.current = null;
  }, [state]);

  useEffect(() => {
    const data = waiting.current;
    if (confirmState.status === 'success' && data) startTransition(() => dispatch(data));
  }, [confirmState, dispatch]);

  /** Sends a submission, remembering it in case a password confirmation is asked for first. */
  const submit = useCallback(
    (data: FormData) => {
      waiting.current = data;
      dispatch(data);
    },
    [dispatch],
  );

  /** What the server asked, while a password confirmation is needed; otherwise null. */
  const stepUpMessage = state.status === 'error' && state.code === 'reauth_required' ? state.message : null;
  return { state, submit, pending, confirmState, confirm, confirming, stepUpMessage };
}
