'use client';
/**
 * Carries the email from a finished sign-up to the sign-in form, so the person types only the
 * password. It travels in sessionStorage (this tab only, read once and removed), never in the URL,
 * where it would end up in server logs, history and Referer headers. Sign-up does not sign the account
 * in: its answer is the same for a new and an existing email (no account enumeration), and signing in
 * right away would tell the two apart.
 */
import { useEffect, useState, type RefObject } from 'react';

const KEY = 'signed-up-email';

/** Called by the sign-up form on success, just before it leaves for the sign-in page. */
export function handOverEmail(email: string): void {
  try {
    sessionStorage.setItem(KEY, email);
  } catch {
    // Storage can be disabled; the person then types the email again.
  }
}

function takeHandedOverEmail(): string | null {
  try {
    const email = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    return email;
  } catch {
    return null;
  }
}

/**
 * For the sign-in form: on its first render in the browser, fills its (empty) email field with the
 * handed-over email and puts focus on its password field. Returns the email, or null when there was none.
 */
export function useHandedOverEmail(form: RefObject<HTMLFormElement | null>): string | null {
  const [email, setEmail] = useState<string | null>(null);
  useEffect(() => {
    const handedOver = takeHandedOverEmail();
    const fields = form.current;
    if (!handedOver || !fields) return;
    const emailField = fields.querySelector<HTMLInputElement>('input[name="email"]');
    if (emailField && !emailField.value) emailField.value = handedOver;
    fields.querySelector<HTMLInputElement>('input[name="password"]')?.focus();
    setEmail(handedOver);
  }, [form]);
  return email;
}
