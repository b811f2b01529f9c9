'use client';
/**
 * `useActionState` for sensitive server actions, plus silent renewal: when the action answers
 * `session_expired` (the access token ran out while the form was open), renew the session once and
 * run the same submission again. Safe to repeat: nothing ran the first time, and payments carry an
 * idempotency key.
 */
import { startTransition, useActionState } from 'react';
import type { ActionState, ServerAction } from '../sensitive-actions/action-result';
import { SESSION_ENDED } from '../forms/messages';
import { refreshSession } from './refresh';

export function useSensitiveAction<T>(action: ServerAction<T>) {
  return useActionState<ActionState<T>, FormData>(
    async (previous, formData) => {
      const result = await action(previous, formData);
      if (result.status !== 'error' || result.code !== 'session_expired') return result;
      if (!(await refreshSession())) return { status: 'error', code: 'session_ended', message: SESSION_ENDED };
      return action(previous, formData);
    },
    { status: 'idle' },
  );
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
