'use client';
/**
 * Submits a form's fields as JSON to one of the auth route handlers and keeps what the page needs to
 * show: pending state and a failure with field errors. Shared by sign-in and signup.
 */
import { useState } from 'react';
import type { FieldErrors } from '@/lib/forms/validation';

export type FormFailure = { message: string; fieldErrors?: FieldErrors };

export function useJsonForm(options: { url: string; fields: string[]; fallbackError: string; onSuccess: () => void }) {
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setFailure(null);
    const form = new FormData(event.currentTarget);
    const body = Object.fromEntries(options.fields.map((name) => [name, form.get(name)]));
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.ok) {
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

  return { failure, pending, onSubmit };
}
