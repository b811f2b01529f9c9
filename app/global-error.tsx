'use client';

import './globals.css';

/**
 * The last resort: the root layout itself failed, so this replaces the whole document (its own
 * <html> and <body>). Plain markup and the global styles only; no stack trace, a way home.
 */
export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <body>
        <main id="main">
          <div className="status-page narrow">
            <p className="status-code">Error</p>
            <h1>Something went wrong</h1>
            <div role="alert" className="alert alert-error">
              <div className="alert-body">
                <p>The app could not be shown. Nothing you did caused this; try again in a moment.</p>
                {error.digest ? <p className="small">Reference for support: {error.digest}</p> : null}
              </div>
            </div>
            <div className="actions">
              {/* A full page load, not the client router: the app's own tree is what failed. */}
              <a className="button" href="/">
                Go to the home page
              </a>
            </div>
          </div>
        </main>
      </body>
    </html>
  );
}
