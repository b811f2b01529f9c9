'use client';

import { useEffect, useRef } from 'react';
import { submitTo } from '@/lib/client/use-sensitive-action';
import { useSteppedUpAction } from '@/lib/client/use-stepped-up-action';
import { ActionStatus } from '../components/action-status';
import { LocalTime } from '../components/local-time';
import { StepUpPrompt } from '../components/step-up-prompt';
import { confirmPasswordAction, signOutSessionsAction } from './actions';
import styles from './sessions.module.css';

export type SessionView = {
  id: string;
  device: string;
  ipAddress: string | null;
  signedInAt: string;
  lastActiveAt: string;
  current: boolean;
};

/**
 * The sessions and their Sign out buttons. Every button posts to one action (scope `one` with the
 * session id, or `others`), so one step-up prompt and one status line serve them all: whichever button
 * was pressed is sent again once the password is confirmed.
 */
export function SessionList({ sessions, total }: { sessions: SessionView[]; total: number }) {
  const { state, submit, pending, confirmState, confirm, confirming, stepUp } = useSteppedUpAction(
    signOutSessionsAction,
    confirmPasswordAction,
  );
  const busy = pending || confirming || stepUp !== null;
  // The button that was pressed may be gone with its session: put focus on the result instead of losing it.
  const status = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (state.status === 'success') status.current?.focus();
  }, [state]);
  // Counted over every page, not just this one: "Sign out all other sessions" ends them all.
  const others = Math.max(0, total - 1);

  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">
        {total} active session{total === 1 ? '' : 's'}
      </h2>
      <div ref={status} tabIndex={-1}>
        <ActionStatus state={state} returnTo="/sessions" handledElsewhere={['reauth_required']} />
      </div>
      <ul className={styles.list}>
        {sessions.map((session) => (
          <li key={session.id} className={`card ${styles.session}`}>
            <div className={styles.heading}>
              <h3 id={`device-${session.id}`} className={styles.device}>
                {session.device}
              </h3>
              {session.current ? <span className={styles.badge}>This device</span> : null}
            </div>
            <dl className="facts">
              <dt>IP address</dt>
              <dd>{session.ipAddress ?? 'Unknown'}</dd>
              <dt>Signed in</dt>
              <dd>
                <LocalTime dateTime={session.signedInAt} relative />
              </dd>
              <dt>Last active</dt>
              <dd>
                <LocalTime dateTime={session.lastActiveAt} relative />
              </dd>
            </dl>
            {session.current ? null : (
              <form onSubmit={submitTo(submit)} className={styles.action}>
                <input type="hidden" name="scope" value="one" readOnly />
                <input type="hidden" name="sessionId" value={session.id} readOnly />
                <button type="submit" className="secondary" disabled={busy} aria-describedby={`device-${session.id}`}>
                  Sign out
                </button>
              </form>
            )}
          </li>
        ))}
      </ul>
      {others > 0 ? (
        <form onSubmit={submitTo(submit)} className={styles.action}>
          <input type="hidden" name="scope" value="others" readOnly />
          <button type="submit" disabled={busy}>
            Sign out all other sessions
          </button>
        </form>
      ) : (
        <p className="muted">This is your only active session.</p>
      )}
      <StepUpPrompt stepUp={stepUp} confirmState={confirmState} confirm={confirm} confirming={confirming} returnTo="/sessions" />
    </section>
  );
}
