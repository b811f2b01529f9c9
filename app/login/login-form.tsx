'use client';

import { useState } from 'react';
import type { FieldErrors } from '@/lib/validation';
import { Field, FormMessage } from '../components/field';

type Failure = { message: string; fieldErrors?: FieldErrors };

/** Posts JSON to /api/auth/login; on success goes to `next`, which the server already checked is on-site. */
export function LoginForm({ next }: { next: string }) {
  const [failure, setFailure] = useState<Failure | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setFailure(null);
    const form = new FormData(event.currentTarget);
    try {
      const response = await fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: form.get('email'), password: form.get('password') }),
      });
      if (response.ok) {
        window.location.assign(next);
        return;
      }
      const body = (await response.json().catch(() => ({}))) as { error?: string; fieldErrors?: FieldErrors };
      setFailure({ message: body.error ?? 'Sign-in failed. Please try again.', fieldErrors: body.fieldErrors });
    } catch {
      setFailure({ message: 'Could not reach the server. Check your connection and try again.' });
    }
    setPending(false);
  }

  return (
    <form onSubmit={onSubmit} noValidate>
      {failure ? <FormMessage kind="error">{failure.message}</FormMessage> : null}
      <Field label="Email" name="email" type="email" autoComplete="username" errors={failure?.fieldErrors?.email} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        errors={failure?.fieldErrors?.password}
      />
      <button type="submit" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
