'use client';

import { useEffect, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { submitTo, useSensitiveAction } from '@/lib/client/use-sensitive-action';
import { useNow } from '@/lib/client/use-now';
import { formatCountdown } from '@/lib/format/time';
import type { CopyProbes, ProbeName } from '@/lib/lab/copy-probes';
import { ActionStatus } from '../components/action-status';
import { LocalTime } from '../components/local-time';
import { keepTokenCopyAction, tryTokenCopyAction } from './actions';
import styles from './lab.module.css';

const PROBE_LABELS: Record<ProbeName, string> = {
  read: 'Read your account (GET /api/me)',
  payment: 'Send a payment',
  password_change: 'Change the password',
};

/**
 * The lab's controls: make a copy of a signed-out demonstration session's access token (which is tried
 * at once), try it again, and, when the countdown passes the copy's expiry, try it once more by itself
 * so the person sees the read fail too. Nothing here changes the person's own session.
 */
export function LabPanel({ copyExpiresAt }: { copyExpiresAt: string | null }) {
  const router = useRouter();
  const [keepState, keep, keeping] = useSensitiveAction(keepTokenCopyAction);
  const [tryState, tryCopy, trying] = useSensitiveAction(tryTokenCopyAction);
  const [latest, setLatest] = useState<'keep' | 'try' | null>(null);
  const latestState = latest === 'try' ? tryState : keepState;
  const probes = latest && latestState.status === 'success' ? (latestState.data ?? null) : null;
  const expiresAt = probes?.expiresAt ?? copyExpiresAt;

  // A new copy changes what the page shows (the decoded token): render it again.
  useEffect(() => {
    if (keepState.status === 'success') router.refresh();
  }, [keepState, router]);

  // Once the copy has expired, try it once more by itself: the read now fails too.
  const now = useNow(500);
  const retriedFor = useRef<string | null>(null);
  const tryForm = useRef<HTMLFormElement>(null);
  const expired = expiresAt !== null && now !== null && now.getTime() > Date.parse(expiresAt) + 250;
  useEffect(() => {
    if (!expired || !probes || probes.expired || trying || retriedFor.current === probes.expiresAt) return;
    retriedFor.current = probes.expiresAt;
    tryForm.current?.requestSubmit();
  }, [expired, probes, trying]);

  return (
    <>
      <form onSubmit={submitTo(keep, () => setLatest('keep'))} className="row">
        <button type="submit" disabled={keeping || trying}>
          {keeping ? 'Making the copy…' : copyExpiresAt ? 'Make a new copy and try it' : 'Make a copy and try it'}
        </button>
      </form>
      {expiresAt ? (
        <p className={styles.countdown}>
          The copy expires at <LocalTime dateTime={expiresAt} format="time" />:{' '}
          <strong data-testid="copy-countdown">
            {now === null ? '' : expired ? 'expired' : `in ${formatCountdown(new Date(expiresAt), now)}`}
          </strong>
        </p>
      ) : null}
      {expiresAt ? (
        <form ref={tryForm} onSubmit={submitTo(tryCopy, () => setLatest('try'))} className="row">
          <button type="submit" className="secondary" disabled={keeping || trying}>
            {trying ? 'Trying the copy…' : 'Use the copy now'}
          </button>
        </form>
      ) : null}
      <section aria-labelledby="lab-results-heading" className={styles.results}>
        <h2 id="lab-results-heading">What the copy could do</h2>
        <div role="status" aria-live="polite" aria-atomic="true">
          {probes ? <ProbeList probes={probes} /> : <p className="muted">Nothing tried yet.</p>}
        </div>
        {latest && latestState.status === 'error' ? <ActionStatus state={latestState} returnTo="/lab" /> : null}
      </section>
    </>
  );
}

function ProbeList({ probes }: { probes: CopyProbes }) {
  return (
    <>
      <p>
        Tried at <LocalTime dateTime={probes.checkedAt} format="time" />, {probes.expired ? 'after the copy expired' : 'before the copy expired'}, in{' '}
        <code>{probes.mode}</code> mode:
      </p>
      <ul className={styles.probes}>
        {probes.results.map((result) => (
          <li key={result.probe} data-probe={result.probe} className={result.allowed ? styles.allowed : styles.refused}>
            <strong>
              {PROBE_LABELS[result.probe]}: {result.allowed ? 'allowed' : 'refused'}
            </strong>
            <span>{result.summary}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
