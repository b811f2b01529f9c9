'use client';

import { useEffect, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { submitTo, useSensitiveAction } from '@/lib/client/use-sensitive-action';
import { focusFirstError } from '@/lib/client/focus-after-result';
import { useClock, useIsPast } from '@/lib/client/use-now';
import { formatRelative } from '@/lib/format/time';
import type { CopyProbes } from '@/lib/lab/copy-probes';
import { ActionStatus } from '../components/action-status';
import { keepTokenCopyAction, tryTokenCopyAction } from './actions';
import { Moment, TryMoment, verdict, type CheckMode } from './timeline';
import styles from './lab.module.css';

/** Tries kept on the timeline besides the first: the newest few, so repeated presses cannot grow it without end. */
const LATER_TRIES_SHOWN = 3;

/**
 * The lab's controls and its timeline: make a copy of a signed-out demonstration session's access token
 * (tried at once), try it again, and, when the copy expires, try it once more by itself. Every try
 * stays on the timeline, so the before and after are seen together. After a press, the new result is
 * scrolled into view and takes focus; the verdict above the timeline is a polite live region. Nothing
 * here changes the person's own session.
 */
export function LabPanel({
  copy,
  mode,
}: {
  copy: { createdAt: string; expiresAt: string } | null;
  mode: CheckMode;
}) {
  const router = useRouter();
  const [keepState, keep, keeping] = useSensitiveAction(keepTokenCopyAction);
  const [tryState, tryCopy, trying] = useSensitiveAction(tryTokenCopyAction);
  const busy = keeping || trying;
  const [latest, setLatest] = useState<'keep' | 'try' | null>(null);
  const latestState = latest === 'try' ? tryState : keepState;

  // Every try of the current copy, oldest first. A new copy starts a new timeline.
  const [tries, setTries] = useState<CopyProbes[]>([]);
  useEffect(() => {
    if (keepState.status === 'success' && keepState.data) setTries([keepState.data]);
  }, [keepState]);
  useEffect(() => {
    const probes = tryState.status === 'success' ? tryState.data : undefined;
    if (!probes) return;
    setTries((shown) => {
      const same = shown.filter((earlier) => earlier.expiresAt === probes.expiresAt);
      if (same.length === 0) return [probes];
      return [same[0], ...[...same.slice(1), probes].slice(-LATER_TRIES_SHOWN)];
    });
  }, [tryState]);

  // A new copy changes what the page shows (the decoded token): render it again.
  useEffect(() => {
    if (keepState.status === 'success') router.refresh();
  }, [keepState, router]);

  const expiresAt = tries[0]?.expiresAt ?? copy?.expiresAt ?? null;
  const madeAt = tries.length > 0 ? (copy?.expiresAt === expiresAt ? copy.createdAt : tries[0].checkedAt) : (copy?.createdAt ?? null);
  // One timer at the copy's expiry (with a quarter second's margin), not a tick every half second:
  // the panel redraws when something happens, and only the countdown below keeps itself current.
  const past = useIsPast(expiresAt === null ? null : Date.parse(expiresAt) + 250);
  const expired = past === true;
  const triedAfterExpiry = tries.some((probes) => probes.expired);

  /** Who started the request now running: the focus rule below depends on it. */
  const pressedBy = useRef<'person' | 'page' | null>(null);
  const submittingItself = useRef(false);

  // Where focus goes when an answer comes back: to the new result after a press, to the error when
  // refused. A try the page made by itself leaves focus where the person put it.
  const newest = useRef<HTMLHeadingElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const results = useRef<HTMLElement>(null);
  useEffect(() => {
    const by = pressedBy.current;
    pressedBy.current = null;
    if (by !== 'person') return;
    const target = newest.current;
    if (!target) return;
    // The first try sits under "What the copy could do": bring the verdict and the timeline's top into
    // view with it; a later try is brought into view by itself.
    (tries.length === 1 && results.current ? results.current : target).scrollIntoView({ block: 'start' });
    target.focus({ preventScroll: true });
  }, [tries]);
  const failure = latest && latestState.status === 'error' ? latestState : null;
  useEffect(() => {
    if (!failure) return;
    const by = pressedBy.current;
    pressedBy.current = null;
    if (by === 'person') focusFirstError(panel.current);
  }, [failure]);

  // Once the copy has expired, try it once more by itself, if this page saw it before it expired.
  // After the focus effects above: an answer that lands after expiry is focused before this try starts.
  const sawUnexpired = useRef<string | null>(null);
  useEffect(() => {
    if (expiresAt && past === false) sawUnexpired.current = expiresAt;
  }, [expiresAt, past]);
  const retriedFor = useRef<string | null>(null);
  const tryForm = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!expired || !expiresAt || triedAfterExpiry || busy) return;
    // A person's press whose answer is not yet shown: the render it lands in still names the copy it
    // replaces (the new one arrives in the next), and trying that one now would claim the press's focus.
    if (pressedBy.current === 'person') return;
    const seenAlive = sawUnexpired.current === expiresAt || tries.some((probes) => !probes.expired);
    if (!seenAlive || retriedFor.current === expiresAt) return;
    retriedFor.current = expiresAt;
    submittingItself.current = true;
    tryForm.current?.requestSubmit();
  }, [expired, expiresAt, triedAfterExpiry, busy, tries]);

  const pressed = (which: 'keep' | 'try') => () => {
    pressedBy.current = submittingItself.current ? 'page' : 'person';
    submittingItself.current = false;
    setLatest(which);
  };
  /**
   * A press while the person's own request runs is ignored: the buttons stay focusable (aria-disabled),
   * so focus is never lost. A press while the page's own try after expiry runs is kept, and sent once
   * that try has answered: a try the person did not ask for never swallows their press.
   */
  const waitingPress = useRef<HTMLFormElement | null>(null);
  const unlessBusy = (submit: (event: React.FormEvent<HTMLFormElement>) => void) => (event: React.FormEvent<HTMLFormElement>) => {
    if (busy) {
      event.preventDefault();
      if (pressedBy.current === 'page') waitingPress.current = event.currentTarget;
      return;
    }
    submit(event);
  };
  // After the focus effects above, so the page's own answer is handled before the press is sent.
  useEffect(() => {
    const form = waitingPress.current;
    if (busy || !form) return;
    waitingPress.current = null;
    form.requestSubmit();
  }, [busy]);

  const keepLabel = keeping ? 'Making the copy…' : expiresAt ? 'Make a new copy and try it' : 'Make a copy and try it';
  return (
    <div ref={panel} className={styles.panel}>
      <form onSubmit={unlessBusy(submitTo(keep, pressed('keep')))} className="row">
        <button type="submit" aria-disabled={busy || undefined} aria-busy={keeping || undefined}>
          {keepLabel}
        </button>
      </form>
      <section ref={results} aria-labelledby="lab-results-heading" className={styles.results}>
        <h2 id="lab-results-heading">What the copy could do</h2>
        <div role="status" className={styles.verdict}>
          {tries.length > 0 ? <p>{verdict(tries, mode)}</p> : <p className="muted">Nothing tried yet.</p>}
        </div>
        {failure ? <ActionStatus state={failure} returnTo="/lab" /> : null}
        {expiresAt && madeAt ? (
          <ol className={styles.timeline}>
            <Moment title="Copy made, its session signed out" at={madeAt}>
              <p>
                The server signed your account in a second time, copied that session’s access token, as a thief
                would, and signed that session out. Your own session was not changed.
              </p>
            </Moment>
            {tries.map((probes, index) => (
              <TryMoment
                key={probes.checkedAt}
                probes={probes}
                first={index === 0}
                headingRef={index === tries.length - 1 ? newest : undefined}
              />
            ))}
            {triedAfterExpiry ? null : (
              <Moment title={expired ? 'Expired' : 'Expires'} at={expiresAt} pending>
                <p>
                  {expired ? (
                    trying ? (
                      'Trying the copy again now…'
                    ) : (
                      'Try it again to see what it can do now.'
                    )
                  ) : (
                    <>
                      <Countdown to={expiresAt} />.
                      The page tries the copy again by itself then; keep it open.
                    </>
                  )}
                </p>
              </Moment>
            )}
          </ol>
        ) : null}
        {expiresAt ? (
          <form ref={tryForm} onSubmit={unlessBusy(submitTo(tryCopy, pressed('try')))} className="row">
            <button type="submit" className="secondary" aria-disabled={busy || undefined} aria-busy={trying || undefined}>
              {trying ? 'Trying the copy…' : 'Try the copy again now'}
            </button>
          </form>
        ) : null}
      </section>
    </div>
  );
}

/** "in 4 minutes", then "in 59 seconds", "in 58 seconds"…: the page's clock, redrawn only when the words change. */
function Countdown({ to }: { to: string }) {
  const words = useClock((now) => formatRelative(new Date(to), now));
  return <strong className={styles.countdown}>{words}</strong>;
}
