'use client';

import Link from 'next/link';

/**
 * Shown when a page fails unexpectedly (the database is down, say). The person sees what to do next;
 * the details stay in the server log (production builds never send them to the browser). `digest`
 * lets an operator find the matching log line.
 */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="status-page narrow">
      <p className="status-code">Error</p>
      <h1>Something went wrong</h1>
      <div role="alert" className="alert alert-error">
        <div className="alert-body">
          <p>This page could not be shown. Nothing you did caused this.</p>
          {error.digest ? <p className="small">Reference for support: {error.digest}</p> : null}
        </div>
      </div>
      <div className="actions">
        <button type="button" onClick={reset}>
          Try again
        </button>
        <Link className="button button-secondary" href="/">
          Go to the home page
        </Link>
      </div>
    </div>
  );
}
