/**
 * Client-side renewal. Access tokens are short-lived, so a page left open will sooner or later get a
 * 401 from the API or `session_expired` from an action. Then the client renews once, through
 * POST /api/auth/refresh (the refresh cookie is HttpOnly: script never sees it), and retries once.
 *
 * Single flight per tab: concurrent 401s share one refresh request. Other tabs may still refresh at
 * the same moment; the server's grace window (lib/session/rotate-refresh-token.ts) keeps them signed in.
 */
import { reportRenewalFinished, reportRenewalStarted, type RenewalOutcome } from './session-clock';
import { postRenewal } from './session-key';

let inFlight: Promise<RenewalOutcome> | null = null;

/**
 * Renews the session once (shared by concurrent callers) and tells the session clock
 * (lib/client/session-clock.ts) how it went, so a page showing the token's lifetime redraws after
 * every renewal, including one a button or a form triggered. `refused`: the server said no (the
 * session is over for this browser); `unreachable`: no answer, or the server failing (5xx), which
 * says nothing about the session and must not be shown as a sign-out.
 */
export function refreshSession(): Promise<RenewalOutcome> {
  if (inFlight) return inFlight;
  reportRenewalStarted();
  // Signed with this browser's session key when it holds one (./session-key.ts).
  inFlight = postRenewal()
    .then(async (response): Promise<RenewalOutcome> => {
      if (!response.ok) return response.status >= 500 ? 'unreachable' : 'refused';
      // The cookies are already renewed; a body that cannot be read only leaves the clock as it was.
      reportRenewalFinished('renewed', await response.json().catch(() => null));
      return 'renewed';
    })
    .catch((): RenewalOutcome => 'unreachable')
    .then((outcome) => {
      if (outcome !== 'renewed') reportRenewalFinished(outcome);
      return outcome;
    })
    .finally(() => {
      inFlight = null;
    });
  return inFlight;
}

/** `fetch` for the app's own `/api/*`: on 401, renew once and retry once. */
export async function fetchWithRefresh(input: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, { credentials: 'same-origin', ...init });
  if (response.status !== 401 || input.startsWith('/api/auth/')) return response;
  if ((await refreshSession()) !== 'renewed') return response;
  return fetch(input, { credentials: 'same-origin', ...init });
}
