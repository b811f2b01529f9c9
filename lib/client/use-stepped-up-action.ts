'use client';
/**
 * A sensitive action that may need a recent password entry (step-up, ASVS 7.5.3), with its password
 * confirmation. When the action answers `reauth_required`, the page shows a prompt
 * (app/components/step-up-prompt.tsx); once the password is confirmed, the waiting submission is sent
 * again exactly as it was, so nothing has to be retyped or clicked twice. Payments and /sessions use it.
 *
 * Resending is safe: a `reauth_required` answer means nothing ran, and payments carry an idempotency key.
 */
import { startTransition, useCallback, useEffect, useState } from 'react';
import type { ActionState, ServerAction } from '../sensitive-actions/action-result';
import { useSensitiveAction } from './use-sensitive-action';

export function useSteppedUpAction<T>(action: ServerAction<T>, confirmAction: ServerAction<undefined>) {
  const [state, dispatch, pending] = useSensitiveAction(action);
  const [confirmState, confirm, confirming] = useSensitiveAction(confirmAction);
  // The submission waiting for the answer (and, on `reauth_required`, for the password confirmation).
  const [waiting, setWaiting] = useState<FormData | null>(null);
  // The `reauth_required` answer whose prompt was cancelled: it no longer asks for anything.
  const [cancelled, setCancelled] = useState<ActionState<T> | null>(null);

  useEffect(() => {
    if (state.status === 'success') setWaiting(null);
  }, [state]);

  useEffect(() => {
    if (confirmState.status === 'success' && waiting) startTransition(() => dispatch(waiting));
    // Only a new confirmation answer sends the waiting submission, never a change of `waiting` alone.
  }, [confirmState, dispatch]);

  /** Sends a submission, remembering it in case a password confirmation is asked for first. */
  const submit = useCallback(
    (data: FormData) => {
      setWaiting(data);
      setCancelled(null);
      dispatch(data);
    },
    [dispatch],
  );

  /** Drops the waiting submission and its prompt; nothing is sent. */
  const cancel = useCallback(() => {
    setCancelled(state);
    setWaiting(null);
  }, [state]);

  /**
   * The server's `reauth_required` answer while a password confirmation is needed; otherwise null.
   * Each new answer is a new object, so the prompt can tell a repeated request from the same one.
   */
  const stepUp =
    state.status === 'error' && state.code === 'reauth_required' && state !== cancelled && waiting !== null ? state : null;
  return { state, submit, pending, waiting, cancel, confirmState, confirm, confirming, stepUp };
}
