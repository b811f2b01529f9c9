'use client';
/**
 * A sensitive action that may need a password entry (step-up, ASVS 7.5.3), with its password prompt.
 * - `reauth_required` (the last entry is too old): the prompt confirms the password through
 *   `confirmAction`; once confirmed, the waiting submission is sent again exactly as it was, so nothing
 *   has to be retyped or clicked twice.
 * - `password_required` (a session not bound to this browser, UNBOUND_SESSION_POLICY=step-up): the prompt's
 *   password goes with the waiting submission itself, in one request, and the prompt stays open while
 *   that password is refused. Payments and /sessions use it; the prompt is app/components/step-up-prompt.tsx.
 *
 * Resending is safe: either answer means nothing ran, and payments carry an idempotency key.
 */
import { startTransition, useCallback, useEffect, useState } from 'react';
import type { ActionState, ServerAction } from '../sensitive-actions/action-result';
import { useSensitiveAction } from './use-sensitive-action';

type ErrorState<T> = Extract<ActionState<T>, { status: 'error' }>;
const IDLE = { status: 'idle' } as const;

/** A refusal of the password sent with the action (wrong, or too many tries): shown in the prompt. */
function refusesPassword<T>(state: ActionState<T>): state is ErrorState<T> {
  return state.status === 'error' && Boolean(state.fieldErrors?.password);
}

export function useSteppedUpAction<T>(action: ServerAction<T>, confirmAction: ServerAction<undefined>) {
  const [state, dispatch, pending] = useSensitiveAction(action);
  const [confirmState, confirmDispatch, confirmPending] = useSensitiveAction(confirmAction);
  // The submission waiting for the answer (and, when asked, for the password).
  const [waiting, setWaiting] = useState<FormData | null>(null);
  // The answer that asked for the password, while its prompt is open; each is a new object, so the prompt
  // can tell a repeated request from the same one.
  const [asking, setAsking] = useState<ErrorState<T> | null>(null);

  useEffect(() => {
    if (state.status === 'success') setWaiting(null);
    if (state.status === 'error' && (state.code === 'reauth_required' || state.code === 'password_required')) setAsking(state);
    // A refused password keeps the prompt that asked for it open; any other answer closes it.
    else setAsking((open) => (open?.code === 'password_required' && refusesPassword(state) ? open : null));
  }, [state]);

  useEffect(() => {
    if (confirmState.status === 'success' && waiting) startTransition(() => dispatch(waiting));
    // Only a new confirmation answer sends the waiting submission, never a change of `waiting` alone.
  }, [confirmState, dispatch]);

  /** Sends a submission, remembering it in case a password is asked for first. */
  const submit = useCallback(
    (data: FormData) => {
      setWaiting(data);
      setAsking(null);
      dispatch(data);
    },
    [dispatch],
  );

  /** Drops the waiting submission and its prompt; nothing is sent. */
  const cancel = useCallback(() => {
    setAsking(null);
    setWaiting(null);
  }, []);

  /** The server's answer asking for the password while the prompt is open; otherwise null. */
  const stepUp = asking !== null && waiting !== null ? asking : null;
  const withAction = stepUp?.code === 'password_required';

  /** The prompt's password: with the waiting submission itself, or to the confirmation action. */
  const confirm = useCallback(
    (prompt: FormData) => {
      if (!withAction) return confirmDispatch(prompt);
      if (!waiting) return;
      const data = new FormData();
      for (const [name, value] of waiting) data.append(name, value);
      data.set('password', prompt.get('password') ?? '');
      dispatch(data);
    },
    [withAction, waiting, confirmDispatch, dispatch],
  );
  const promptState: ActionState<undefined> = withAction ? (refusesPassword(state) ? state : IDLE) : confirmState;
  const confirming = withAction ? pending : confirmPending;
  /** What the form's own status line shows: nothing of what the open prompt shows. */
  const formState: ActionState<T> = stepUp ? IDLE : state;

  return { state, formState, submit, pending, waiting, cancel, confirmState: promptState, confirm, confirming, stepUp };
}
