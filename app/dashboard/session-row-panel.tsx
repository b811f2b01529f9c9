'use client';

import type { SessionClock, SessionRowSnapshot } from '@/lib/client/session-clock';
import type { RevocationReason } from '@/lib/session/session-types';
import { LEGACY_LAB_REVOCATION } from '@/lib/session/signed-out-reason';
import { LocalTime } from '../components/local-time';
import { Breakable } from './breakable';
import styles from './dashboard.module.css';

/** Why a session row was revoked, in words (lib/session/session-types.ts `RevocationReason`). */
// Typed by the reason list itself: a new reason without words here fails the type check.
const REVOCATION_REASONS: Record<RevocationReason, string> = {
  logout: 'signed out',
  refresh_token_reuse: 'its refresh token was used twice, so it was treated as stolen',
  password_changed: 'the password was changed in this session',
  password_changed_elsewhere: 'the password was changed in another session',
  reauthenticated: 'the password was typed again, and the browser continued in a new session',
  revoked_by_user: 'signed out from another device',
  idle_timeout: 'it was not used for too long',
  absolute_timeout: 'it reached its maximum length',
  session_limit: 'a newer sign-in went over the number of sessions an account may keep',
  binding_proof_failed: 'a renewal came from a device without this session’s key',
};

function reasonWords(reason: string | null): string {
  if (!reason) return 'no reason recorded';
  // Written only by an older /lab, which ended the session it was pressed in; rows may remain.
  if (reason === LEGACY_LAB_REVOCATION) return 'ended on /lab, which kept a copy of its access token';
  return REVOCATION_REASONS[reason as RevocationReason] ?? reason.replaceAll('_', ' ');
}

/** The session's binding tier in words (lib/session/binding-tier.ts `describeTier`). */
export type SessionTier = { bound: boolean; label: string; meaning: string };

/**
 * The session row's state, read from the database, next to a plain statement that the page itself was
 * let in by the access token alone. After a sign-out, a copied token still opens this page, and this
 * panel is where the copy can see that its session is revoked. Also the session's binding tier: whether
 * a copy of its cookies could keep it going elsewhere.
 */
export function SessionRowPanel({ clock, tier }: { clock: SessionClock; tier: SessionTier | null }) {
  const row = clock.row;
  const ended = !row || row.state !== 'active';
  return (
    <section className={`card ${styles.rowPanel}`} aria-labelledby="session-row-heading" data-state={row?.state ?? 'missing'}>
      <h2 id="session-row-heading">Session row</h2>
      <p className={styles.rowState} data-testid="session-row-state">
        <RowState row={row} />
      </p>
      <p className="muted">
        {row ? (
          <>
            Read from the database at <LocalTime dateTime={row.readAt} format="time" />, separately from the check that let
            you in.{' '}
          </>
        ) : null}
        This page itself was let in by the signed access token alone, with no database lookup: a page that trusts the token
        cannot tell a live session from a revoked one.
      </p>
      {ended ? (
        <p className={styles.premise}>
          This is the trade-off in action: the session is over, yet this page opened, because its access token stays valid
          until <LocalTime dateTime={clock.accessToken.expiresAt} format="time" relative />. Payments and password changes
          re-check this row and are refused, and the token cannot be renewed.
        </p>
      ) : null}
      <dl className={styles.timeline}>
        {tier ? (
          <div>
            <dt>Binding</dt>
            <dd data-testid="session-tier" data-bound={tier.bound}>
              <strong>{tier.label}</strong>
              <span className={styles.tierMeaning}>{tier.meaning}</span>
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Session id</dt>
          <dd>
            <code className={styles.identifier}><Breakable text={clock.sessionId} /></code>
          </dd>
        </div>
      </dl>
    </section>
  );
}

function RowState({ row }: { row: SessionRowSnapshot | null }) {
  if (!row) return <>Not found: the database holds no row for this session (it ended and was cleaned up).</>;
  switch (row.state) {
    case 'active':
      return (
        <>
          <span className={styles.stateBadge}>Active</span> The session can renew and act.
        </>
      );
    case 'revoked':
      return (
        <>
          <span className={styles.stateBadge}>Revoked</span> at{' '}
          {row.revokedAt ? <LocalTime dateTime={row.revokedAt} relative /> : 'an unrecorded time'}: {reasonWords(row.revokedReason)}.
        </>
      );
    case 'idle_expired':
      return (
        <>
          <span className={styles.stateBadge}>Ended</span> idle: nothing renewed it by <LocalTime dateTime={row.idleExpiresAt} />.
        </>
      );
    case 'absolute_expired':
      return (
        <>
          <span className={styles.stateBadge}>Ended</span> it reached its absolute lifetime at{' '}
          <LocalTime dateTime={row.absoluteExpiresAt} />.
        </>
      );
  }
}
