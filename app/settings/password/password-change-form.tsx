'use client';

import { startTransition, useEffect, useRef } from 'react';
import { useSensitiveAction } from '@/lib/client/use-sensitive-action';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@/lib/validation';
import { Field, FormMessage } from '../../components/field';
import { SessionEnded } from '../../components/session-ended';
import { changePasswordAction } from './actions';

export function PasswordChangeForm() {
  const [state, submit, pending] = useSensitiveAction(changePasswordAction);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (state.status === 'success') form.current?.reset();
  }, [state]);

  function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(() => submit(data));
  }

  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  return (
    <form ref={form} onSubmit={onSubmit} noValidate>
      {state.status === 'success' ? <FormMessage kind="success">{state.message}</FormMessage> : null}
      {state.status === 'error' && state.code === 'session_ended' ? <SessionEnded returnTo="/settings/password" /> : null}
      {state.status === 'error' && state.code !== 'session_ended' ? (
        <FormMessage kind="error">{state.message}</FormMessage>
      ) : null}
      <Field
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        errors={errors?.currentPassword}
      />
      <Field
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        hint={`${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, different from your current one.`}
        errors={errors?.newPassword}
      />
      <Field
        label="Confirm new password"
        name="confirmPassword"
        type="password"
        autoComplete="new-password"
        errors={errors?.confirmPassword}
      />
      <button type="submit" disabled={pending}>
        {pending ? 'Changing password…' : 'Change password'}
      </button>
    </form>
  );
}
