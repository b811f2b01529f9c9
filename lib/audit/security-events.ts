/**
 * The security activity log: what happened to an account, for the person who owns it and for
 * whoever investigates. Never stores a secret: no password, no token, no hash of either.
 */
import 'server-only';
import { db } from '../db/client';
import type { Prisma } from '../generated/prisma/client';
import type { RequestMeta } from '../request/request-meta';

/** What can happen to an account. Stored as text; the activity page will give each a label. */
export type SecurityEventType =
  | 'signup'
  | 'signup_existing_email'
  | 'login_succeeded'
  | 'login_failed'
  | 'login_throttled'
  | 'logout'
  | 'refresh_token_reuse'
  /** A renewal came with a key proof the session's key did not make: the session ended (lib/session/binding-store.ts). */
  | 'binding_proof_failed'
  /** The browser registered a Device Bound Session Credentials key: renewal now needs it (lib/session/dbsc-registration.ts). */
  | 'session_bound'
  | 'password_changed'
  | 'other_sessions_revoked'
  | 'session_revoked'
  | 'step_up_succeeded'
  | 'step_up_failed'
  | 'payment_sent'
  /** A session found past its idle or absolute deadline, ended then (lib/session/session-timeouts.ts). */
  | 'session_expired'
  /** A sign-in went over MAX_SESSIONS_PER_USER: the sessions unused the longest were ended (lib/auth/sign-in.ts). */
  | 'session_limit_reached'
  /**
   * /lab: a demonstration session of the person's was made, its access token kept sealed on the
   * server, and the session signed out; the person's own session is untouched (lib/lab/token-copy.ts).
   */
  | 'lab_demo_copied'
  /**
   * /lab: a demonstration session bound to this browser's key was made and its refresh token tried from
   * "another device", which ends it; the person's own session is untouched (lib/lab/refresh-copy.ts).
   */
  | 'lab_demo_bound'
  /** Written by an older /lab, which ended the session it was pressed in; stored events remain. */
  | 'lab_token_copied';

/**
 * Writes one event. Pass the `tx` of the transaction that makes the change the event records, so the
 * two commit or roll back together: no change without its event, no event for a change that did not
 * happen.
 */
export async function recordSecurityEvent(
  event: {
    /** Only for an event that must be written at most once: a second insert with the same id fails (P2002). */
    id?: string;
    type: SecurityEventType;
    userId: string | null;
    sessionId?: string | null;
    meta?: RequestMeta;
    detail?: string;
    now?: Date;
  },
  tx: Pick<Prisma.TransactionClient, 'securityEvent'> = db(),
): Promise<void> {
  await tx.securityEvent.create({
    data: {
      id: event.id,
      type: event.type,
      userId: event.userId,
      sessionId: event.sessionId ?? null,
      ipAddress: event.meta?.ipAddress ?? null,
      userAgent: event.meta?.userAgent ?? null,
      detail: event.detail ?? null,
      createdAt: event.now ?? new Date(),
    },
  });
}
