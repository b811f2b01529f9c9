/**
 * The session's timeline as it crosses from server to browser: built by lib/session/session-timeline.ts,
 * drawn by lib/client/session-clock.ts. Types only, so both sides share one declaration.
 */

/** The session row as last read on the server. ISO strings: it crosses the server/client boundary. */
export type SessionRowSnapshot = {
  /** When the server read the row: the state below is "as of" this instant. */
  readAt: string;
  state: 'active' | 'revoked' | 'idle_expired' | 'absolute_expired';
  revokedAt: string | null;
  revokedReason: string | null;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  lastRotatedAt: string | null;
  rotations: number;
};

/** Everything the dashboard draws. `row` is null when the server found no row for the token's session. */
export type SessionClock = {
  sessionId: string;
  accessToken: { issuedAt: string; expiresAt: string };
  row: SessionRowSnapshot | null;
};

/** The JSON body of a successful POST /api/auth/refresh (built in lib/session/session-timeline.ts). */
export type RenewalAnswer = {
  accessTokenExpiresAt: string;
  accessTokenIssuedAt: string;
  sessionId: string;
  session: SessionRowSnapshot | null;
};
