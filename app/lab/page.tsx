import type { Metadata } from 'next';
import { verifySessionOrRedirect } from '@/lib/dal';
import { findCopyView } from '@/lib/lab/token-copy';
import { getConfig } from '@/lib/config/config';
import { LocalTime } from '../components/local-time';
import { LabPanel } from './lab-panel';
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
  const copy = await findCopyView({ userId: session.userId, sessionId: session.sessionId });
  const revocationList = mode === 'revocation-list';

  return (
    <>
      <h1>Logout lab</h1>
      <p className="lede">
        What happens to an access token after its session is signed out? The server signs your account in a second
        time, in a separate demonstration session, keeps a copy of that session’s access token, as someone who copied
        your cookie would, signs the demonstration session out and shows what the copy can still do. It is a token of
        your account like the one in your browser, checked the same way, so a copy of yours would fare exactly the
        same. Your own session is not changed.
      </p>

      <div className="card">
        <p>
          Check mode: <strong data-testid="check-mode">{mode}</strong>.{' '}
          {revocationList
            ? 'Reads also check a list of recently revoked sessions, so a signed-out copy is refused within a second.'
            : 'Reads check the token’s signature and expiry only, with no database lookup.'}{' '}
          Access tokens live {ttl} seconds here.
        </p>
        <LabPanel copyExpiresAt={copy?.expiresAt ?? null} />
      </div>

      {copy ? (
        <section className="card" aria-labelledby="copy-heading">
          <h2 id="copy-heading">The copied token, decoded</h2>
          <p className="muted">
            Copied from the demonstration session <code>{copy.copiedSessionId}</code>, signed out at{' '}
            <LocalTime dateTime={copy.createdAt} />. The token itself stays on the server, sealed; this is what it says,
            without its signature.
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
        </section>
      ) : null}

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
            <code>lib/lab/copy-probes.ts</code> (what it tries)
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
