import Link from 'next/link';

export default function HomePage() {
  return (
    <>
      <h1>What happens to a JWT after logout?</h1>
      <p className="lede">
        This app answers with working code. Sign in, copy your cookies to another browser, sign out, and watch what
        the copy can and cannot still do.
      </p>
      <div className="card">
        <ul className="points">
          <li>
            <strong>Reading is stateless.</strong> Pages check a short-lived access token (a signed JWT) without asking
            the database. After logout that token still opens read-only pages until it expires, by design.
          </li>
          <li>
            <strong>Renewing is stateful.</strong> A single-use refresh token, stored on the server only as a hash,
            rotates on every renewal. Logout revokes it at once; a replayed one revokes the whole session.
          </li>
          <li>
            <strong>Acting is stateful.</strong> Changing a password or sending a payment re-checks the session row, so
            a signed-out session cannot act even with a live token.
          </li>
        </ul>
      </div>
      <div className="row">
        <Link className="button" href="/login">
          Sign in
        </Link>
        <Link href="/signup">Create an account</Link>
      </div>
      <p className="muted">
        Demo users: <code>alice@example.com</code> and <code>bob@example.com</code>, password{' '}
        <code>correct horse battery staple</code>.
      </p>
    </>
  );
}
