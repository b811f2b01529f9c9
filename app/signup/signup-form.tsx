'use client';

import { useState } from 'react';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, type FieldErrors } from '@/lib/validation';
import { Field, FormMessage } from '../components/field';

type Failure = { message: string; fieldErrors?: FieldErrors };

/**
 * Posts JSON to /api/auth/signup. The answer is the same whether or not the email was new (no account
 * enumeration), so success always leads to the sign-in form.
 */
export function SignupForm() {
  const [failure, setFailure] = useState<Failure | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setFailure(null);
    const form = new FormData(event.currentTarget);
    try {
      const response = await fetch('/api/auth/signup', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: form.get('email'), password: form.get('password') }),
      });
      if (response.ok) {
        window.location.assign('/login?signedUp=1');
        return;
      }
      const body = (await response.json().catch(() => ({}))) as { error?: string; fieldErrors?: FieldErrors };
      setFailure({ message: body.error ?? 'Could not create the account. Please try again.', fieldErrors: body.fieldErrors });
    } catch {
      setFailure({ message: 'Could not reach the server. Check your connection and try again.' });
    }
    setPending(false);
  }

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
