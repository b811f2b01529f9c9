'use client';

import { Field, FormMessage } from '../components/field';
import { useJsonForm } from '../../lib/client/use-json-form';

/** Posts JSON to /api/auth/login; on success goes to `next`, which the server already checked is on-site. */
export function LoginForm({ next }: { next: string }) {
  const { failure, pending, onSubmit } = useJsonForm({
    url: '/api/auth/login',
    fields: ['email', 'password'],
    fallbackError: 'Sign-in failed. Please try again.',
    onSuccess: () => window.location.assign(next),
  });

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
