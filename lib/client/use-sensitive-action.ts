'use client';
/**
 * `useActionState` for sensitive server actions, plus silent renewal: when the action answers
 * `session_expired` (the access token ran out while the form was open), renew the session once and
 * run the same submission again. Safe to repeat: nothing ran the first time, and payments carry an
 * idempotency key. Every submission carries this page's proof of its session key, when it holds one
 * (./session-key.ts `withKeyProof`).
 */
import { startTransition, useActionState } from 'react';
import type { ActionState, ServerAction } from '../sensitive-actions/action-result';
import { RENEWAL_UNREACHABLE, SESSION_ENDED } from '../forms/messages';
import { refreshSession } from './refresh';
import { withKeyProof } from './session-key';

export function useSensitiveAction<T>(action: ServerAction<T>) {
  return useActionState<ActionState<T>, FormData>((previous, formData) => sendSensitiveAction(action, previous, formData), { status: 'idle' });
}

/** One submission as the hook sends it: with the key proof, renewed once and sent again on `session_expired`. */
export async function sendSensitiveAction<T>(action: ServerAction<T>, previous: ActionState<T>, form: FormData): Promise<ActionState<T>> {
  const result = await action(previous, await withKeyProof(form));
  if (result.status !== 'error' || result.code !== 'session_expired') return result;
  const renewal = await refreshSession();
  // Only a refusal ends the session for this browser; a renewal that got no answer changed nothing.
  if (renewal === 'refused') return { status: 'error', code: 'session_ended', message: SESSION_ENDED };
  if (renewal === 'unreachable') return { status: 'error', code: 'unexpected', message: RENEWAL_UNREACHABLE };
  return action(previous, await withKeyProof(form));
}

/**
 * A form `onSubmit` that hands the form's data to an action dispatcher inside a transition. Used
 * instead of `<form action>` so React does not reset the fields after every answer: a refused
 * payment keeps what the person typed.
 */
export function submitTo(dispatch: (data: FormData) => void, beforeDispatch?: (data: FormData, form: HTMLFormElement) => void) {
  return (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    beforeDispatch?.(data, event.currentTarget);
    startTransition(() => dispatch(data));
  };
}
