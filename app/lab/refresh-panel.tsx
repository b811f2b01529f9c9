'use client';

import { useRef, useState } from 'react';
import { signWithSessionKey } from '@/lib/client/session-key';
import { sendSensitiveAction } from '@/lib/client/use-sensitive-action';
import { focusFirstError } from '@/lib/client/focus-after-result';
import { LAB_KEY_NOT_HERE, UNEXPECTED_ERROR } from '@/lib/forms/messages';
import type { ActionState } from '@/lib/sensitive-actions/action-result';
import type { RefreshTry } from '@/lib/lab/refresh-tries';
import { ActionStatus } from '../components/action-status';
import { finishRefreshCopyAction, startRefreshCopyAction } from './actions';
import styles from './lab.module.css';

const IDLE = { status: 'idle' } as const;


/**
 * "Copy the refresh cookie to another device": one press, with the page's proof of holding the session's
 * key (which every checked action carries), has the server make a demonstration session bound to it and try its refresh token without the key, then
 * signs a proof for that session's nonce with the key (this browser), and the server tries it, and a
 * key of its own. The results take focus and the verdict is announced. Nothing here changes the
 * person's own session, and no token reaches the page (lib/lab/refresh-copy.ts).
 */
export function RefreshPanel({ bound }: { bound: boolean }) {
  const [running, setRunning] = useState(false);
  const [tries, setTries] = useState<{ tries: RefreshTry[]; endingEvent: boolean } | null>(null);
  const [failure, setFailure] = useState<ActionState<unknown> | null>(null);
  const panel = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  async function run() {
    const fail = (state: ActionState<unknown>) => {
      setFailure(state);
      requestAnimationFrame(() => focusFirstError(panel.current));
    };
    // Each action carries this page's proof of its key (lib/client/session-key.ts `withKeyProof`): without it, both are refused.
    const started = await sendSensitiveAction(startRefreshCopyAction, IDLE, new FormData());
    if (started.status !== 'success' || !started.data) return fail(started);
    const proof = await signWithSessionKey({ method: 'POST', url: '/api/auth/refresh', nonce: started.data.nonce }).catch(() => null);
    if (!proof) return fail({ status: 'error', code: 'refused', message: LAB_KEY_NOT_HERE });
    const renewal = new FormData();
    renewal.set('proof', proof);
    const finished = await sendSensitiveAction(finishRefreshCopyAction, IDLE, renewal);
    if (finished.status !== 'success' || !finished.data) return fail(finished);
    setTries({ tries: [started.data.tryResult, ...finished.data.tries], endingEvent: finished.data.endingEvent });
    requestAnimationFrame(() => {
      heading.current?.scrollIntoView({ block: 'start' });
      heading.current?.focus({ preventScroll: true });
    });
  }

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (running || !bound) return;
    setRunning(true);
    setFailure(null);
    setTries(null);
    // A request that never came back (the network, a server restart): said plainly, like any action's failure.
    run()
      .catch(() => setFailure({ status: 'error', code: 'unexpected', message: UNEXPECTED_ERROR }))
      .finally(() => setRunning(false));
  };

  return (
    <div ref={panel} className={styles.panel}>
      <form onSubmit={onSubmit} className="row">
        <button
          type="submit"
          className={bound ? undefined : styles.unavailable}
          aria-disabled={running || !bound || undefined}
          aria-busy={running || undefined}
          aria-describedby={bound ? undefined : 'refresh-unbound'}
        >
          {running ? 'Trying the copied refresh cookie…' : 'Copy the refresh cookie and try it'}
        </button>
      </form>
      {bound ? null : (
        <p id="refresh-unbound" className="muted">
          Not available here: this page holds no key this session was bound to at sign-in. Sessions signed in through the
          sign-in form in a browser with WebCrypto and IndexedDB have one; an API client or an older session has none. Sign
          out and sign in again through the form to try it.
        </p>
      )}
      {failure ? <ActionStatus state={failure} returnTo="/lab" /> : null}
      <section aria-labelledby="refresh-results-heading" className={styles.results}>
        <h3 id="refresh-results-heading" ref={heading} tabIndex={-1}>
          What the copied refresh cookie could do
        </h3>
        <div role="status" className={styles.verdict}>
          {tries ? <p>{verdict(tries.tries)}</p> : <p className="muted">{running ? 'Trying…' : 'Nothing tried yet.'}</p>}
        </div>
        {tries ? (
          <>
            <ol className={styles.probes}>
              {tries.tries.map((result) => (
                <li key={result.device} data-device={result.device} className={safe(result) ? styles.refused : styles.allowed}>
                  <strong>{title(result)}</strong>
                  <span>{why(result, tries.endingEvent)}</span>
                </li>
              ))}
            </ol>
            <p>The demonstration session was then ended. Your own session was not changed.</p>
            <details className={styles.detail}>
              <summary>Technical detail</summary>
              <ul>
                {tries.tries.map((result) => (
                  <li key={result.device}>
                    <code>{result.device}</code>: rotation answered <code>{result.answer}</code>; refresh token used up:{' '}
                    {result.tokenConsumed ? 'yes' : 'no'}; session ended: {result.sessionEndedWith ? <code>{result.sessionEndedWith}</code> : 'no'}
                  </li>
                ))}
              </ul>
            </details>
          </>
        ) : null}
      </section>
    </div>
  );
}

const WHO: Record<RefreshTry['device'], string> = {
  without_key: 'Another device, without the key',
  this_browser: 'This browser, with its key',
  own_key: 'Another device, with a key of its own',
};

/** Whether the outcome is the one that protects the person: refused elsewhere, renewed here. */
const safe = (result: RefreshTry) => (result.device === 'this_browser' ? result.renewed : !result.renewed);

function title(result: RefreshTry): string {
  if (result.renewed) return `${WHO[result.device]}: renewed`;
  return `${WHO[result.device]}: refused${result.sessionEndedWith && result.device !== 'without_key' ? ', session ended' : ''}`;
}

function why(result: RefreshTry, endingEvent: boolean): string {
  if (result.device === 'without_key') {
    return result.renewed
      ? 'The server renewed a session from a copied cookie alone.'
      : `The renewal carried no proof signed by the session’s key, so the server refused it before looking at the token${result.tokenConsumed ? '' : ': the token was not used up, and the session went on'}.`;
  }
  if (result.device === 'this_browser') {
    return result.renewed
      ? 'This page signed a proof for the session’s current nonce with the key it keeps; the server checked it against the key the session was bound to and issued the next refresh token (kept on the server).'
      : 'The server did not accept this page’s proof.';
  }
  if (result.renewed) return 'The server renewed a session with another key’s proof.';
  return result.sessionEndedWith === 'binding_proof_failed'
    ? `A proof that is there but made by another key means someone has a copy: the server ended the session${endingEvent ? ' and recorded it on your activity page, as it would for a real one' : ''}.`
    : 'The server refused it.';
}

/** The lesson in one or two sentences, from what actually happened. */
function verdict(tries: RefreshTry[]): string {
  const find = (device: RefreshTry['device']) => tries.find((result) => result.device === device);
  const without = find('without_key');
  const mine = find('this_browser');
  const other = find('own_key');
  const parts = [
    without && !without.renewed ? 'On another device, without the key, the copied refresh cookie could not renew.' : 'Without the key, the copied refresh cookie renewed.',
    mine?.renewed ? 'This browser, which holds the key, renewed it.' : 'This browser could not renew it.',
  ];
  if (other && !other.renewed && other.sessionEndedWith) parts.push('A proof from another key ended the session.');
  return parts.join(' ');
}
