'use client';

import { handOverEmail } from '@/lib/client/sign-up-hand-over';
import { useRef } from 'react';
import { typedEmailProblem } from '@/lib/forms/email-rules';
import { newPasswordProblem, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@/lib/forms/password-rules';
import { useFocusOnFailure } from '@/lib/client/focus-after-result';
import { checkFields, useJsonForm } from '@/lib/client/use-json-form';
import { Alert, Field } from '../components/field';

/**
 * Posts JSON to /api/auth/signup. The answer is the same whether or not the email was new (no account
 * enumeration), so success always leads to the sign-in form. The fields are checked in the browser
 * first with the server schema's own rules.
 */
export function SignupForm() {
  const { failure, pending, onSubmit } = useJsonForm({
    url: '/api/auth/signup',
    fields: ['email', 'password'],
    fallbackError: 'Could not create the account. Please try again.',
    onSuccess: () => goToSignIn(form.current),
    check: (values) => checkFields(values, { email: typedEmailProblem, password: newPasswordProblem }),
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

/**
 * After a sign-up, to the sign-in form: not signed in (that would tell a new email from an existing
 * one), but with the email carried over outside the URL (lib/client/sign-up-hand-over.ts).
 */
function goToSignIn(form: HTMLFormElement | null) {
  const email = form?.querySelector<HTMLInputElement>('input[name="email"]')?.value.trim();
  if (email) handOverEmail(email);
  window.location.assign('/login?signedUp=1');
}
