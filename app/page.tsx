import Link from 'next/link';
import { verifySession } from '@/lib/dal';

export default async function HomePage() {
  const signedIn = (await verifySession()) !== null;
  return (
    <>
      <section className="hero">
        <h1>What happens to a JWT after logout?</h1>
        <p className="lede">
          This app answers with working code. Sign in, copy your cookies to another browser, sign out, and watch what
          the copy can and cannot still do.
        </p>
        <div className="actions">
          {signedIn ? (
            <Link className="button" href="/dashboard">
              Go to your dashboard
            </Link>
          ) : (
            <>
              <Link className="button" href="/login">
                Sign in
              </Link>
              <Link className="button button-secondary" href="/signup">
                Create an account
              </Link>
            </>
          )}
        </div>
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
