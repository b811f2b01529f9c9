'use client';

import { useEffect, useRef } from 'react';
import { formatDateTime, formatRelative } from '@/lib/format/time';
import { useIsClient, useNow } from '@/lib/client/use-now';
import { submitTo } from '@/lib/client/use-sensitive-action';
import { useSteppedUpAction } from '@/lib/client/use-stepped-up-action';
import { KEY_NOT_SHOWN_PASSWORD_REQUIRED } from '@/lib/forms/messages';
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
  /** The binding tier in words (lib/session/binding-tier.ts). */
  tier: { bound: boolean; label: string; meaning: string };
};

/** Which button a submission came from: `others`, or the id of the one session. */
function buttonKey(data: FormData): string {
  return data.get('scope') === 'others' ? 'others' : `one:${String(data.get('sessionId'))}`;
}

/**
 * The sessions and their Sign out buttons. Every button posts to one action (scope `one` with the
 * session id, or `others`), so one step-up prompt and one status line serve them all: whichever button
 * was pressed is sent again once the password is confirmed. The prompt names what that button signs
 * out, Cancel drops it, and only that button waits; the others stay usable (pressing one replaces the
 * waiting request).
 */
export function SessionList({ sessions, total }: { sessions: SessionView[]; total: number }) {
  const { state, formState, submit, pending, waiting, cancel, confirmState, confirm, confirming, stepUp } = useSteppedUpAction(
    signOutSessionsAction,
    confirmPasswordAction,
  );
  const section = useRef<HTMLElement>(null);
  // The button whose request is in flight or waiting for the password.
  const waitingKey = waiting && (pending || confirming || stepUp !== null) ? buttonKey(waiting) : null;
  // The button that was pressed may be gone with its session: put focus on the result instead of losing it.
  const status = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (state.status === 'success') status.current?.focus();
  }, [state]);
  // Counted over every page, not just this one: "Sign out all other sessions" ends them all.
  const others = Math.max(0, total - 1);

  const target = waiting ? describeTarget(buttonKey(waiting), sessions, others) : '';

  // After Cancel, focus goes back to the button that asked (still there: nothing was signed out), once
  // it is enabled again.
  const refocus = useRef<string | null>(null);
  useEffect(() => {
    if (!refocus.current || waitingKey !== null) return;
    section.current?.querySelector<HTMLButtonElement>(`button[data-sign-out="${CSS.escape(refocus.current)}"]`)?.focus();
    refocus.current = null;
  }, [waitingKey]);
  function cancelSignOut() {
    refocus.current = waiting ? buttonKey(waiting) : null;
    cancel();
  }

  return (
    <section ref={section} aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">
        {total} active session{total === 1 ? '' : 's'}
      </h2>
      <div ref={status} tabIndex={-1}>
        <ActionStatus state={formState} returnTo="/sessions" handledElsewhere={['reauth_required', 'password_required']} />
      </div>
      <ul className={styles.list}>
        {sessions.map((session) => {
          const key = `one:${session.id}`;
          const busy = waitingKey === key;
          return (
            <li key={session.id} className={`card ${styles.session} ${session.current ? styles.current : ''}`}>
              <div className={styles.heading}>
                <h3 id={`device-${session.id}`} className={styles.device}>
                  {session.device}
                </h3>
                {session.current ? <span className={styles.badge}>This device</span> : null}
              </div>
              <dl className="facts">
                <dt>Signed in</dt>
                <dd id={`signed-in-${session.id}`}>
                  <SignInTime dateTime={session.signedInAt} />
                </dd>
                <dt>Last active</dt>
                <dd>
                  <LocalTime dateTime={session.lastActiveAt} relative />
                </dd>
                <dt>IP address</dt>
                <dd>{session.ipAddress ?? 'Unknown'}</dd>
                <dt>Binding</dt>
                <dd data-testid="session-tier" data-bound={session.tier.bound}>
                  <strong className={session.tier.bound ? styles.bound : styles.unbound}>{session.tier.label}</strong>
                  <span className={styles.tierMeaning}>{session.tier.meaning}</span>
                </dd>
              </dl>
              {session.current ? null : (
                <form onSubmit={submitTo(submit)} className={styles.action}>
                  <input type="hidden" name="scope" value="one" readOnly />
                  <input type="hidden" name="sessionId" value={session.id} readOnly />
                  <button
                    type="submit"
                    className="secondary"
                    data-sign-out={key}
                    disabled={busy}
                    aria-busy={busy || undefined}
                    aria-describedby={`device-${session.id} signed-in-${session.id}`}
                  >
                    {busy && pending ? 'Signing out…' : 'Sign out'}
                  </button>
                </form>
              )}
            </li>
          );
        })}
      </ul>
      {others > 0 ? (
        <form onSubmit={submitTo(submit)} className={styles.action}>
          <input type="hidden" name="scope" value="others" readOnly />
          <button type="submit" data-sign-out="others" disabled={waitingKey === 'others'} aria-busy={waitingKey === 'others' || undefined}>
            {waitingKey === 'others' && pending ? 'Signing out…' : 'Sign out all other sessions'}
          </button>
        </form>
      ) : (
        <p className="muted">This is your only active session.</p>
      )}
      <StepUpPrompt
        stepUp={stepUp}
        summary={
          <>
            <strong>{target}</strong> Enter your password to confirm:{' '}
            {stepUp?.code === 'password_required'
              ? stepUp.message === KEY_NOT_SHOWN_PASSWORD_REQUIRED
                ? 'this browser did not show the key this session is bound to, so ending sessions needs your password.'
                : 'this session is not bound to this browser, so ending sessions asks for your password every time.'
              : 'you last entered it too long ago to end sessions.'}
          </>
        }
        announcement={`Confirm it is you. ${target} Enter your password to confirm.`}
        confirmLabel="Confirm and sign out"
        onCancel={cancelSignOut}
        confirmState={confirmState}
        confirm={confirm}
        confirming={confirming}
        returnTo="/sessions"
      />
    </section>
  );
}

/** "Sign out Chrome 131 on Linux, signed in Dec 7, 2026, 10:02?" or "Sign out all 3 other sessions?". */
function describeTarget(key: string, sessions: SessionView[], others: number): string {
  if (key === 'others') return others === 1 ? 'Sign out your 1 other session?' : `Sign out all ${others} other sessions?`;
  const session = sessions.find((candidate) => `one:${candidate.id}` === key);
  if (!session) return 'Sign out this session?';
  return `Sign out ${session.device}, signed in ${withSeconds(new Date(session.signedInAt))}?`;
}

/**
 * When a session signed in, to the second: two sessions of the same browser from the same address
 * differ only there. In the reader's zone once the browser renders (UTC, labelled, until then), with
 * "(3 minutes ago)".
 */
function SignInTime({ dateTime }: { dateTime: string }) {
  const isClient = useIsClient();
  const now = useNow(1000);
  const date = new Date(dateTime);
  return (
    <time dateTime={dateTime}>
      {isClient ? withSeconds(date) : `${withSeconds(date, 'UTC')} UTC`}
      {now ? ` (${formatRelative(date, now)})` : null}
    </time>
  );
}

/** "Dec 7, 2026, 10:02:15". Seconds are the same in every time zone. */
function withSeconds(date: Date, timeZone?: string): string {
  return `${formatDateTime(date, timeZone)}:${String(date.getUTCSeconds()).padStart(2, '0')}`;
}
