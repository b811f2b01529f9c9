'use client';
/**
 * The lab's timeline in plain words: what the copied token could do at each moment (made, tried at
 * once, tried again, tried after it expired), with human times. The server's own wording of each
 * answer (HTTP status, the checked path's reason) and the check mode stay one click away, in <details>.
 */
import type { Ref } from 'react';
import { formatDurationWords } from '@/lib/format/time';
import type { CopyProbes, ProbeName, ProbeResult } from '@/lib/lab/copy-probes';
import { LocalTime } from '../components/local-time';
import styles from './lab.module.css';

export type CheckMode = CopyProbes['mode'];

const QUESTIONS: Record<ProbeName, string> = {
  read: 'Read your account',
  payment: 'Send a payment',
  password_change: 'Change your password',
};

/** One moment on the timeline: a heading, its local clock time, what happened. */
export function Moment({
  title,
  at,
  pending = false,
  focusable = false,
  headingRef,
  children,
}: {
  title: string;
  at: string;
  pending?: boolean;
  focusable?: boolean;
  headingRef?: Ref<HTMLHeadingElement>;
  children: React.ReactNode;
}) {
  return (
    <li className={pending ? `${styles.moment} ${styles.pending}` : styles.moment}>
      {/* A try's heading takes focus when it is new; it stays focusable, so focus is never dropped later. */}
      <h3 ref={headingRef} tabIndex={focusable ? -1 : undefined}>
        {title}
      </h3>
      <p className={styles.when}>
        <LocalTime dateTime={at} format="time" />
      </p>
      {children}
    </li>
  );
}

/** A try of the copy: each thing it attempted, yes or no and why, then the technical detail. */
export function TryMoment({ probes, first, headingRef }: { probes: CopyProbes; first: boolean; headingRef?: Ref<HTMLHeadingElement> }) {
  const title = probes.expired ? 'Tried after it expired' : first ? 'Tried at once' : 'Tried again';
  return (
    <Moment title={title} at={probes.checkedAt} focusable headingRef={headingRef}>
      <p className="muted">{relativeToExpiry(probes)}</p>
      <ul className={styles.probes}>
        {probes.results.map((result) => (
          <li key={result.probe} data-probe={result.probe} className={result.allowed ? styles.allowed : styles.refused}>
            <strong>
              {QUESTIONS[result.probe]}: {result.allowed ? 'yes' : 'no'}
            </strong>
            <span>{why(result, probes)}</span>
          </li>
        ))}
      </ul>
      <details className={styles.detail}>
        <summary>Technical detail</summary>
        <p>
          Check mode <code>{probes.mode}</code>; the copy’s <code>exp</code> is{' '}
          <LocalTime dateTime={probes.expiresAt} format="time" />.
        </p>
        <ul>
          {probes.results.map((result) => (
            <li key={result.probe}>
              <code>{result.probe}</code>: {result.summary}
            </li>
          ))}
        </ul>
      </details>
    </Moment>
  );
}

/** "Tried 4 minutes 58 seconds before the copy expires." */
function relativeToExpiry(probes: CopyProbes): string {
  const seconds = (Date.parse(probes.expiresAt) - Date.parse(probes.checkedAt)) / 1000;
  if (seconds > 0 && seconds < 1) return 'Right before the copy expires.';
  if (seconds <= 0 && seconds > -1) return 'Right after the copy expired.';
  return seconds > 0
    ? `${formatDurationWords(seconds)} before the copy expires.`
    : `${formatDurationWords(-seconds)} after the copy expired.`;
}

/** Why the answer was what it was, in plain words. */
function why(result: ProbeResult, probes: CopyProbes): string {
  if (result.probe === 'read') {
    if (result.allowed) return 'The server checks only the token’s signature and expiry, so it cannot tell that the session was signed out.';
    if (probes.expired) return 'The copy has expired.';
    if (probes.mode === 'revocation-list') return 'This server keeps a list of signed-out sessions and refused it at once.';
    return 'The server refused it.';
  }
  if (result.allowed) return 'The server let it through.';
  if (probes.expired) return 'The copy has expired.';
  return 'Before doing this, the server checks that the session is still signed in, and it is not.';
}

/** The lesson so far, in one or two sentences: what a signed-out copy could read and do. */
export function verdict(tries: CopyProbes[], mode: CheckMode): string {
  const readBefore = tries.some((probes) => !probes.expired && allowed(probes, 'read'));
  const afterExpiry = tries.some((probes) => probes.expired);
  const acted = (['payment', 'password_change'] as const).filter((probe) => tries.some((probes) => allowed(probes, probe)));
  const actions =
    acted.length === 0
      ? `It ${afterExpiry ? 'could not' : 'cannot'} send a payment or change your password.`
      : `It ${afterExpiry ? 'could' : 'can'} ${acted.map((probe) => QUESTIONS[probe].toLowerCase()).join(' and ')}.`;
  if (!afterExpiry) {
    return readBefore
      ? `Signed out, the copy can still read your account until it expires. ${actions}`
      : `Signed out, the copy cannot even read your account${mode === 'revocation-list' ? ': this server refused it at once' : ''}. ${actions}`;
  }
  return readBefore
    ? `The copy could read your account until it expired, and nothing after. ${actions}`
    : `The copy could not read your account, before or after it expired. ${actions}`;
}

function allowed(probes: CopyProbes, probe: ProbeName): boolean {
  return probes.results.some((result) => result.probe === probe && result.allowed);
}
