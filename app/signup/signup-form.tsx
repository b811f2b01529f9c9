'use client';

import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@/lib/password-rules';
import { Field, FormMessage } from '../components/field';
import { useJsonForm } from '../../lib/client/use-json-form';

/**
 * Posts JSON to /api/auth/signup. The answer is the same whether or not the email was new (no account
 * enumeration), so success always leads to the sign-in form.
 */
export function SignupForm() {
  const { failure, pending, onSubmit } = useJsonForm({
    url: '/api/auth/signup',
    fields: ['email', 'password'],
    fallbackError: 'Could not create the account. Please try again.',
    onSuccess: () => window.location.assign('/login?signedUp=1'),
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      {failure ? <FormMessage kind="error">{failure.message}</FormMessage> : null}
      <Field label="Email" name="email" type="email" autoComplete="email" errors={failure?.fieldErrors?.email} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        hint={`${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters. A few unrelated words make a strong one.`}
        errors={failure?.fieldErrors?.password}
      />
      <button type="submit" disabled={pending}>
        {pending ? 'Creating account…' : 'Create account'}
      </button>
    </form>
  );
}
