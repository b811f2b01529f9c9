'use client';

import { useRef } from 'react';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@/lib/forms/password-rules';
import { useFocusOnFailure } from '@/lib/client/focus-after-result';
import { useJsonForm } from '@/lib/client/use-json-form';
import { handOverEmail } from '@/lib/client/sign-up-hand-over';
import { Alert, Field } from '../components/field';

/**
 * Posts JSON to /api/auth/signup. The answer is the same whether or not the email was new (no account
 * enumeration), so success always leads to the sign-in form, without signing in; the email goes with it
 * (lib/client/sign-up-hand-over.ts, not in the URL) so only the password is left to type.
 */
export function SignupForm() {
  const { failure, pending, onSubmit } = useJsonForm({
    url: '/api/auth/signup',
    fields: ['email', 'password'],
    fallbackError: 'Could not create the account. Please try again.',
    onSuccess: () => {
      const email = form.current?.querySelector<HTMLInputElement>('input[name="email"]')?.value.trim();
      if (email) handOverEmail(email);
      window.location.assign('/login?signedUp=1');
    },
  });
  const form = useRef<HTMLFormElement>(null);
  useFocusOnFailure(form, failure);
  const fieldErrors = failure?.fieldErrors;

  return (
    <form ref={form} onSubmit={onSubmit} noValidate aria-label="Create an account">
      {failure && !fieldErrors ? <Alert kind="error">{failure.message}</Alert> : null}
      <Field label="Email" name="email" type="email" autoComplete="email" errors={fieldErrors?.email} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        hint={`${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters. A few unrelated words make a strong one.`}
        errors={fieldErrors?.password}
      />
      <button type="submit" disabled={pending} aria-busy={pending || undefined}>
        {pending ? 'Creating account…' : 'Create account'}
      </button>
    </form>
  );
}
