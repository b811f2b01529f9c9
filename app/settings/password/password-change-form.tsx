'use client';

import { useEffect, useRef } from 'react';
import { useFocusOnFailure } from '@/lib/client/focus-after-result';
import { submitTo, useSensitiveAction } from '@/lib/client/use-sensitive-action';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@/lib/forms/password-rules';
import { ActionStatus } from '../../components/action-status';
import { Field } from '../../components/field';
import { changePasswordAction } from './actions';

/**
 * Current password, new password twice. After a change the fields are emptied and focus moves to the
 * message (which says that every other session was signed out), not to an empty field.
 */
export function PasswordChangeForm() {
  const [state, submit, pending] = useSensitiveAction(changePasswordAction);
  const form = useRef<HTMLFormElement>(null);
  const status = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (state.status !== 'success') return;
    form.current?.reset();
    status.current?.focus();
  }, [state]);
  useFocusOnFailure(form, state.status === 'error' ? state : null);

  const errors = state.status === 'error' ? state.fieldErrors : undefined;
  return (
    <form ref={form} onSubmit={submitTo(submit)} noValidate aria-label="Change password">
      <div ref={status} tabIndex={-1}>
        <ActionStatus state={state} returnTo="/settings/password" />
      </div>
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
      <button type="submit" disabled={pending} aria-busy={pending || undefined}>
        {pending ? 'Changing password…' : 'Change password'}
      </button>
    </form>
  );
}
