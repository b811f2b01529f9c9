/**
 * The home page: the premise in one minute. It leads to the lab (/lab), the one-click way to see what a
 * copied access token can still do after sign-out (a visitor signs in first and lands there), and keeps
 * the by-hand way (copying cookies into another browser profile) as a second, shorter route.
 */
import Link from 'next/link';
import { verifySession } from '@/lib/dal';
import { loginPath } from '@/lib/request/redirects';
import styles from './home.module.css';

export default async function HomePage() {
  const signedIn = (await verifySession()) !== null;
  return (
    <>
      <section className="hero" aria-labelledby="premise-heading">
        <h1 id="premise-heading">What happens to a JWT after logout?</h1>
        <p className="lede">
          Someone who copied your access token can keep reading your account after you sign out, until the token expires a
          few minutes later. They cannot move money or change your password. This app shows it with working code.
        </p>
        <div className="actions">
          <Link className="button" href={signedIn ? '/lab' : loginPath('/lab')}>
            See it in one click
          </Link>
          {signedIn ? (
            <Link className="button button-secondary" href="/dashboard">
              Go to your dashboard
            </Link>
          ) : (
            <Link className="button button-secondary" href="/signup">
              Create an account
            </Link>
          )}
        </div>
        {signedIn ? null : (
          <p className={`muted small ${styles.hint}`}>
            You sign in first (a demo user below will do), then the lab makes a copy of a token and tries it for you.
          </p>
        )}
      </section>
      <div className="feature-grid">
        <section className="card" aria-labelledby="reading-heading">
          <p>
            <span className="badge badge-signed-in">stateless</span>
          </p>
          <h2 id="reading-heading">Reading</h2>
          <p className="muted">
            Pages check a short-lived access token (a signed JWT) without asking the database. After logout that token
            still opens read-only pages until it expires, by design.
          </p>
        </section>
        <section className="card" aria-labelledby="renewing-heading">
          <p>
            <span className="badge badge-renewing">rotates</span>
          </p>
          <h2 id="renewing-heading">Renewing</h2>
          <p className="muted">
            A single-use refresh token, stored on the server only as a hash, rotates on every renewal. Logout revokes it
            at once; a replayed one revokes the whole session.
          </p>
        </section>
        <section className="card" aria-labelledby="acting-heading">
          <p>
            <span className="badge badge-revoked">re-checked</span>
          </p>
          <h2 id="acting-heading">Acting</h2>
          <p className="muted">
            Changing a password or sending a payment re-checks the session row, so a signed-out session cannot act even
            with a live token.
          </p>
        </section>
      </div>
      <section className="card" aria-labelledby="by-hand-heading">
        <h2 id="by-hand-heading">Or do it by hand</h2>
        <p className="muted">Without the lab, with two browser profiles and their developer tools:</p>
        <ol>
          <li>Sign in, for example as a demo user below.</li>
          <li>
            Copy this site’s cookies into another browser profile (developer tools, Application or Storage, Cookies).
          </li>
          <li>Sign out in the first profile.</li>
          <li>
            In the other profile, open the dashboard: it still opens until the access token expires. Send a payment
            there: it is refused with “Your session has ended”.
          </li>
        </ol>
      </section>
      <div className="alert alert-info">
        <div className="alert-body">
          <p>
            Demo users: <code>alice@example.com</code> and <code>bob@example.com</code>, password{' '}
            <code>correct horse battery staple</code>. They start with $1,000.00 each; new accounts start with nothing.
          </p>
        </div>
      </div>
    </>
  );
}
