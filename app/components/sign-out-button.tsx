'use client';

import type { FormEvent } from 'react';
import { forgetSessionKey } from '@/lib/client/session-key';

/**
 * A plain form post: works without JavaScript, and the browser sends `Origin`, which the logout
 * handler requires (CSRF, ASVS 3.5.3). The handler answers a navigation with a redirect to /login.
 * With JavaScript, the page first deletes the session key it keeps in IndexedDB (the fallback tier of
 * device binding): a key whose session is over has nothing left to prove, so it does not outlive it.
 * Only this button does that; a link or a query flag never could, or a page could erase a live key.
 */
export function SignOutButton() {
  async function forgetKeyThenPost(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    // Never let a stuck IndexedDB keep the person signed in: sign-out goes ahead after a second.
    await Promise.race([forgetSessionKey(), new Promise((resolve) => setTimeout(resolve, 1000))]);
    form.submit();
  }
  return (
    <form method="post" action="/api/auth/logout" onSubmit={forgetKeyThenPost}>
      <button type="submit" className="secondary button-small">
        Sign out
      </button>
    </form>
  );
}
