import type { Metadata } from 'next';
import { verifySessionOrRedirect } from '@/lib/dal';
import { findCopyView } from '@/lib/lab/token-copy';
import { sessionIsBound } from '@/lib/lab/refresh-copy';
import { getConfig } from '@/lib/config/config';
import { formatDurationWords } from '@/lib/format/time';
import { LocalTime } from '../components/local-time';
import { LabPanel } from './lab-panel';
import { RefreshPanel } from './refresh-panel';
import styles from './lab.module.css';

export const metadata: Metadata = { title: 'Logout lab' };

/**
 * The premise's question answered live: what happens to a JWT after logout? One click makes a separate
 * demonstration session of this account, keeps a server-side copy of its access token, as a thief who
 * copied the cookie would, signs that session out and shows what the copy can still do. The person's
 * own session is never touched: the button is reachable with an access token alone, so it must not be
 * able to end or replace a session, or issue one (lib/lab/token-copy.ts). The copy never reaches the
 * browser: this page shows its decoded header and claims only.
 */
export default async function LabPage() {
  const session = await verifySessionOrRedirect('/lab');
  const { ACCESS_TOKEN_CHECK: mode, ACCESS_TOKEN_TTL_SECONDS: ttl } = getConfig();
  const [copy, bound] = await Promise.all([
    findCopyView({ userId: session.userId, sessionId: session.sessionId }),
    sessionIsBound(session.sessionId),
  ]);
  const revocationList = mode === 'revocation-list';

  return (
    <>
      <h1>Logout lab</h1>
      <p className="lede">
        Someone copies your access token, then the session signs out. What can the copy still do? One click makes a
        real token of your account, signs its session out and tries the copy now and again when it expires. Your own
        session is not changed.
      </p>

      <div className="card">
        <p>
          {revocationList
            ? 'On this server a signed-out copy is refused at once, even for reading.'
            : 'On this server a signed-out copy can still read until it expires, but cannot act.'}{' '}
          Access tokens last {formatDurationWords(ttl)} here.
        </p>
        <details className={styles.detail}>
          <summary>Check mode and lifetime</summary>
          <p>
            Check mode <strong data-testid="check-mode">{mode}</strong> (<code>ACCESS_TOKEN_CHECK</code>):{' '}
            {revocationList
              ? 'reads also check a list of recently revoked sessions, so a signed-out copy is refused within a second.'
              : 'reads check the token’s signature and expiry only, with no database lookup.'}{' '}
            Access-token lifetime: {ttl} seconds (<code>ACCESS_TOKEN_TTL_SECONDS</code>).
          </p>
        </details>
        <LabPanel copy={copy ? { createdAt: copy.createdAt, expiresAt: copy.expiresAt } : null} mode={mode} />
      </div>

      {copy ? (
        <section className="card" aria-labelledby="copy-heading">
          <h2 id="copy-heading">The copied token, decoded</h2>
          <p className="muted">
            A token is a signed note saying whose it is and until when it is good. The token itself stays on the server,
            sealed; below is what it says, without its signature.
          </p>
          <details className={styles.detail}>
            <summary>Show its header and claims</summary>
            <p className="muted">
              Copied from the demonstration session <code>{copy.copiedSessionId}</code>, signed out at{' '}
              <LocalTime dateTime={copy.createdAt} />.
            </p>
            <div className={styles.token}>
              <div>
                <h3>Header</h3>
                <dl className="facts">
                  {copy.header.map(({ name, value }) => (
                    <Fact key={name} name={name} value={value} />
                  ))}
                </dl>
              </div>
              <div>
                <h3>Claims</h3>
                <dl className="facts">
                  {copy.claims.map(({ name, value, time }) => (
                    <Fact key={name} name={name} value={value} time={time} />
                  ))}
                </dl>
              </div>
            </div>
          </details>
        </section>
      ) : null}

      <section className="card" aria-labelledby="refresh-heading">
        <h2 id="refresh-heading">Copy the refresh cookie to another device</h2>
        <p>
          The refresh cookie renews a session for days, so a copy of it is worth more than a copy of the access token. Signing
          in through the form binds a session to a key the browser makes then and keeps: it can sign with it, but nobody can
          read it out, not even this page. Every renewal of the session must carry a proof signed with that key.
        </p>
        <p>
          One click makes a separate demonstration session of your account bound to the same key, keeps its refresh token on
          the server, as a thief who copied the cookie would, and tries it: from another device without the key, from this
          browser with it, and from another device with a key of its own. The demonstration session is ended afterwards;
          your own session is not changed.
        </p>
        <RefreshPanel bound={bound} />
      </section>

      <section className="card" aria-labelledby="modes-heading">
        <h2 id="modes-heading">What each mode allows a signed-out copy</h2>
        <table className={styles.modes}>
          <caption className="muted">Set with ACCESS_TOKEN_CHECK; this server runs {mode}.</caption>
          <thead>
            <tr>
              <th scope="col">With the copy</th>
              <th scope="col" aria-current={!revocationList}>
                stateless (default)
              </th>
              <th scope="col" aria-current={revocationList}>
                revocation-list
              </th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Read</th>
              <td data-current={!revocationList}>allowed until the token expires</td>
              <td data-current={revocationList}>refused within a second</td>
            </tr>
            <tr>
              <th scope="row">Payment</th>
              <td data-current={!revocationList}>refused</td>
              <td data-current={revocationList}>refused</td>
            </tr>
            <tr>
              <th scope="row">Password change</th>
              <td data-current={!revocationList}>refused</td>
              <td data-current={revocationList}>refused</td>
            </tr>
          </tbody>
        </table>
      </section>

      <section className="card" aria-labelledby="tradeoff-heading">
        <h2 id="tradeoff-heading">The trade-off</h2>
        <p>
          An access token is checked like a signed pass: the server verifies its signature and expiry and looks nothing up.
          That spares every request a database query, but it also means nobody can take a copied token back before it
          expires. So access tokens here live only {ttl} seconds, and a sign-out ends the refresh token at once.
        </p>
        <p>
          Payments and password changes do not trust the token alone: they re-read the session row, so a signed-out copy
          cannot act, whatever the mode.
        </p>
        <p>
          The revocation-list mode closes the read window too: each server keeps the ids of sessions revoked within the last
          token lifetime and reloads them at most every half second. Reads are stateful again, at the cost of a query per
          server twice a second and a list that every server must keep in step.
        </p>
        <ul className={styles.files}>
          <li>
            Stateless reads: <code>proxy.ts</code>, <code>lib/dal.ts</code> (<code>verifySession</code>),{' '}
            <code>lib/tokens/access-token.ts</code>
          </li>
          <li>
            Session-row check for sensitive actions: <code>lib/sensitive-actions/checked-action.ts</code>,{' '}
            <code>lib/dal.ts</code> (<code>verifyLiveSession</code>)
          </li>
          <li>
            Revocation list: <code>lib/tokens/read-check.ts</code>, <code>lib/session/revocation-list.ts</code>
          </li>
          <li>
            This lab: <code>lib/lab/token-copy.ts</code> (the demonstration session and its sealed copy),{' '}
            <code>lib/lab/copy-probes.ts</code> (what it tries); the refresh cookie: <code>lib/lab/refresh-copy.ts</code>,{' '}
            <code>lib/lab/refresh-tries.ts</code>, with the renewal check in <code>lib/session/rotate-refresh-token.ts</code>{' '}
            and the page’s key in <code>lib/client/session-key.ts</code>
          </li>
        </ul>
      </section>
    </>
  );
}

function Fact({ name, value, time }: { name: string; value: string; time?: string }) {
  return (
    <>
      <dt>
        <code>{name}</code>
      </dt>
      <dd>
        <code>{value}</code>
        {time ? (
          <>
            {' '}
            (<LocalTime dateTime={time} format="time" />)
          </>
        ) : null}
      </dd>
    </>
  );
}
