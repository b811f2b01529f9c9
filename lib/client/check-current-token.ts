/**
 * Asks the server which access token this browser holds now, without renewing anything: a plain
 * GET /api/me (stateless, no database), never through fetchWithRefresh. A 200 tells the session
 * clock the token's expiry (lib/client/session-clock.ts), so a page can notice a renewal it did not
 * make itself (a link prefetch's renewal hop, another tab). A 401 means no renewal happened: nothing
 * to report.
 */
import { reportAccessTokenSeen } from './session-clock';
import type { SessionUser } from '../auth/user';

export type CurrentToken = { user: SessionUser; session: { id: string; accessTokenExpiresAt: string } };

/** Reports the token an answer of GET /api/me names to the session clock. */
export function reportCurrentToken(answer: CurrentToken): void {
  reportAccessTokenSeen(answer.session.id, answer.session.accessTokenExpiresAt);
}

export async function checkCurrentToken(): Promise<void> {
  try {
    const response = await fetch('/api/me', { credentials: 'same-origin', cache: 'no-store' });
    if (response.ok) reportCurrentToken((await response.json()) as CurrentToken);
  } catch {
    // Offline or the server is down: the clock keeps what it knows.
  }
}
