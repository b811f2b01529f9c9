'use client';

/**
 * Shown when a page fails unexpectedly (the database is down, say). The person sees what to do next;
 * the details stay in the server log. `digest` lets an operator find the matching log line.
 */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="narrow">
      <h1>Something went wrong</h1>
      <div role="alert" className="message message-error">
        <p>This page could not be shown. Nothing you did caused this.</p>
        {error.digest ? <p className="muted">Reference: {error.digest}</p> : null}
      </div>
      <p>
        <button type="button" onClick={reset}>
          Try again
        </button>
      </p>
    </div>
  );
}
