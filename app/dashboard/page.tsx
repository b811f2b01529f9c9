import type { Metadata } from 'next';
import Link from 'next/link';
import { requireSession } from '@/lib/dal';
import { AccessTokenClock } from './access-token-clock';
import { WhoAmI } from './who-am-i';

export const metadata: Metadata = { title: 'Dashboard' };

/**
 * A read-only page: the stateless tier. It trusts a verified access token and never reads the session
 * row, so after logout a copied token still opens it until the token expires. That is the trade-off
 * this app demonstrates, not a bug; sensitive pages' actions re-check the session (lib/sensitive-actions/checked-action.ts).
 */
export default async function DashboardPage() {
  const session = await requireSession('/dashboard');
  return (
    <>
      <h1>Signed in as {session.email}</h1>
      <div className="card">
        <dl className="facts">
          <dt>Session</dt>
          <dd>
            <code>{session.sessionId}</code>
          </dd>
          <dt>Access token issued</dt>
          <dd>
            <time dateTime={session.issuedAt.toISOString()}>{session.issuedAt.toISOString()}</time>
          </dd>
          <dt>Access token expires</dt>
          <dd>
            <AccessTokenClock expiresAt={session.expiresAt.toISOString()} />
          </dd>
        </dl>
        <p className="muted">
          This page was checked against the signed token only, with no database lookup. Renewal happens on its own:
          when the token runs out, your next visit or API call exchanges the refresh token for a new one.
        </p>
      </div>
      <WhoAmI />
      <div className="row">
        <Link href="/payments">Send a payment</Link>
        <Link href="/settings/password">Change password</Link>
      </div>
    </>
  );
}
