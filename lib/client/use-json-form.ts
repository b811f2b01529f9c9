'use client';
/**
 * Submits a form's fields as JSON to one of the auth route handlers and keeps what the page needs to
 * show: pending state and a failure with field errors. Shared by sign-in and signup.
 *
 * `check` runs the server schema's rules in the browser first (the zod-free ones in lib/forms), so a
 * wrong or overlong field is told beside itself instead of being sent: a 10,000-character password
 * would otherwise meet the route's body limit and come back as a banner about the request's size.
 */
import { useState } from 'react';
import type { FieldErrors } from '@/lib/forms/validation';
import { keepSessionKey, keyForSignIn } from './session-key';

export type FormFailure = { message: string; fieldErrors?: FieldErrors };

type Options = {
  url: string;
  fields: string[];
  fallbackError: string;
  onSuccess: () => void;
  /** Field errors for the values as typed, or null to send them. */
  check?: (values: Record<string, string>) => FieldErrors | null;
  /** Sign-in: bind the new session to a key this page makes (./session-key.ts), where the browser can keep one. */
  bindKey?: boolean;
};

/** Field errors from per-field rules, or null when every field passes. */
export function checkFields(values: Record<string, string>, rules: Record<string, (value: string) => string | null>): FieldErrors | null {
  const errors: FieldErrors = {};
  for (const [name, problem] of Object.entries(rules)) {
    const message = problem(values[name] ?? '');
    if (message) errors[name] = [message];
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

export function useJsonForm(options: Options) {
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = Object.fromEntries(options.fields.map((name) => [name, String(form.get(name) ?? '')]));
    const fieldErrors = options.check?.(body) ?? null;
    if (fieldErrors) {
      setFailure({ message: 'Check the fields marked.', fieldErrors });
      return;
    }
    setPending(true);
    setFailure(null);
    try {
      const bound = options.bindKey ? await keyForSignIn(options.url) : null;
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(bound && { DPoP: bound.proof }) },
        body: JSON.stringify(body),
      });
      if (response.ok) {
        // Kept before moving on; a browser that cannot keep it finds the session asking for it at renewal.
        if (bound) await keepSessionKey(bound.key, response).catch(() => undefined);
        options.onSuccess();
        return;
      }
      const answer = (await response.json().catch(() => ({}))) as { error?: string; fieldErrors?: FieldErrors };
      setFailure({ message: answer.error ?? options.fallbackError, fieldErrors: answer.fieldErrors });
    } catch {
      setFailure({ message: 'Could not reach the server. Check your connection and try again.' });
    }
    setPending(false);
  }

  /** Drops the last failure, for when the form's values were replaced (say, by a fill-in button). */
  const clearFailure = () => setFailure(null);

  return { failure, pending, onSubmit, clearFailure };
}
