'use client';

import { useRef } from 'react';
import { useFocusOnFailure } from '@/lib/client/focus-after-result';
import { checkFields, useJsonForm } from '@/lib/client/use-json-form';
import { useHandedOverEmail } from '@/lib/client/sign-up-hand-over';
import { DEMO_ACCOUNT_EMAILS, DEMO_ACCOUNT_PASSWORD } from '@/lib/forms/demo-accounts';
import { typedEmailProblem } from '@/lib/forms/email-rules';
import { passwordProblem } from '@/lib/forms/password-rules';
import { Alert, Field } from '../components/field';

/**
 * Posts JSON to /api/auth/login; on success goes to `next`, which the server already checked is on-site.
 * `notice` (say, "your account is ready") is shown until the first answer, so it never sits above a
 * later error as if it were still news. Below the form, the seeded demo accounts: a button fills in
 * one's email and password (nothing is sent) and moves focus to Sign in.
 */
export function LoginForm({ next, notice }: { next: string; notice?: React.ReactNode }) {
  const { failure, pending, onSubmit, clearFailure } = useJsonForm({
    url: '/api/auth/login',
    fields: ['email', 'password'],
    fallbackError: 'Sign-in failed. Please try again.',
    onSuccess: () => window.location.assign(next),
    check: (values) => checkFields(values, { email: typedEmailProblem, password: passwordProblem }),
    bindKey: true,
  });
  const form = useRef<HTMLFormElement>(null);
  const submitButton = useRef<HTMLButtonElement>(null);
  useFocusOnFailure(form, failure);
  // After sign-up: the email filled in, focus on the password (never carried in the URL).
  useHandedOverEmail(form);
  const fieldErrors = failure?.fieldErrors;

  function fillIn(email: string) {
    const fields = form.current?.elements;
    const emailInput = fields?.namedItem('email');
    const passwordInput = fields?.namedItem('password');
    if (emailInput instanceof HTMLInputElement) emailInput.value = email;
    if (passwordInput instanceof HTMLInputElement) passwordInput.value = DEMO_ACCOUNT_PASSWORD;
    clearFailure();
    submitButton.current?.focus();
  }

  return (
    <>
      <div className="card">
        <form ref={form} onSubmit={onSubmit} noValidate aria-label="Sign in">
          {notice && !failure ? notice : null}
          {failure && !fieldErrors ? <Alert kind="error">{failure.message}</Alert> : null}
          <Field label="Email" name="email" type="email" autoComplete="username" errors={fieldErrors?.email} />
          <Field label="Password" name="password" type="password" autoComplete="current-password" errors={fieldErrors?.password} />
          <button ref={submitButton} type="submit" disabled={pending} aria-busy={pending || undefined}>
            {pending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
      <section className="card" aria-labelledby="demo-accounts-heading">
        <h2 id="demo-accounts-heading">Demo accounts</h2>
        <p className="muted small" id="demo-accounts-hint">
          Created by the set-up (<code>npm install</code>), with the password <code>{DEMO_ACCOUNT_PASSWORD}</code>. A
          button fills in the form above; nothing is sent until you press Sign in.
        </p>
        <div className="actions">
          {DEMO_ACCOUNT_EMAILS.map((email) => (
            <button
              key={email}
              type="button"
              className="button-secondary button-small"
              aria-describedby="demo-accounts-hint"
              onClick={() => fillIn(email)}
            >
              Use {email}
            </button>
          ))}
        </div>
      </section>
    </>
  );
}
