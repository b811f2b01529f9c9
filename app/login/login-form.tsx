'use client';

import { useRef } from 'react';
import { useFocusOnFailure } from '@/lib/client/focus-after-result';
import { checkFields, useJsonForm } from '@/lib/client/use-json-form';
import { emailProblem, normaliseEmail } from '@/lib/forms/email-rules';
import { passwordProblem } from '@/lib/forms/password-rules';
import { Alert, Field } from '../components/field';

/**
 * Posts JSON to /api/auth/login; on success goes to `next`, which the server already checked is on-site.
 * `notice` (say, "your account is ready") is shown until the first answer, so it never sits above a
 * later error as if it were still news.
 */
export function LoginForm({ next, notice }: { next: string; notice?: React.ReactNode }) {
  const { failure, pending, onSubmit } = useJsonForm({
    url: '/api/auth/login',
    fields: ['email', 'password'],
    fallbackError: 'Sign-in failed. Please try again.',
    onSuccess: () => window.location.assign(next),
    check: (values) => checkFields(values, { email: (v) => emailProblem(normaliseEmail(v)), password: passwordProblem }),
  });
  const form = useRef<HTMLFormElement>(null);
  useFocusOnFailure(form, failure);
  const fieldErrors = failure?.fieldErrors;

  return (
    <form ref={form} onSubmit={onSubmit} noValidate aria-label="Sign in">
      {notice && !failure ? notice : null}
      {failure && !fieldErrors ? <Alert kind="error">{failure.message}</Alert> : null}
      <Field label="Email" name="email" type="email" autoComplete="username" errors={fieldErrors?.email} />
      <Field label="Password" name="password" type="password" autoComplete="current-password" errors={fieldErrors?.password} />
      <button type="submit" disabled={pending} aria-busy={pending || undefined}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
