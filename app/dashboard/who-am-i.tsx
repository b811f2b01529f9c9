'use client';

import { useEffect, useRef, useState } from 'react';
import { fetchWithRefresh } from '@/lib/client/refresh';
import { reportCurrentToken, type CurrentToken } from '@/lib/client/check-current-token';
import { LocalTime } from '../components/local-time';

/**
 * Calls GET /api/me through the 401 -> refresh -> retry helper, so an expired token renews silently.
 * The button is disabled while the request runs, so focus then moves to the answer (read out with it)
 * rather than dropping to the top of the page.
 */
export function WhoAmI() {
  const [result, setResult] = useState<{ ok: true; me: CurrentToken } | { ok: false; message: string } | null>(null);
  const [pending, setPending] = useState(false);
  const answer = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (result) answer.current?.focus();
  }, [result]);

  async function check() {
    setPending(true);
    try {
      const response = await fetchWithRefresh('/api/me');
      if (response.ok) {
        const me = (await response.json()) as CurrentToken;
        // The token may be newer than the one the page drew (renewed by another tab or a prefetch).
        reportCurrentToken(me);
        setResult({ ok: true, me });
      } else setResult({ ok: false, message: 'Not signed in: the session could not be renewed.' });
    } catch {
      setResult({ ok: false, message: 'Could not reach the server.' });
    }
    setPending(false);
  }

  return (
    <section className="card" aria-labelledby="whoami-heading">
      <h2 id="whoami-heading">Ask the API</h2>
      <p className="muted">
        <code>GET /api/me</code> answers from the access token alone. If the token has expired, the client renews it
        once and retries, and the picture above redraws with the new token.
      </p>
      <button type="button" onClick={check} disabled={pending}>
        Check who I am
      </button>
      <div aria-live="polite">
        {result?.ok ? (
          <p ref={answer} tabIndex={-1} data-testid="whoami-result">
            The API says: <strong>{result.me.user.email}</strong>, token valid until{' '}
            <LocalTime dateTime={result.me.session.accessTokenExpiresAt} format="time" />
          </p>
        ) : null}
        {result && !result.ok ? (
          <p ref={answer} tabIndex={-1} role="alert">
            {result.message}
          </p>
        ) : null}
      </div>
    </section>
  );
}
