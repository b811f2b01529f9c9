/**
 * The security activity log: what happened to an account, for the person who owns it and for
 * whoever investigates. Never stores a secret: no password, no token, no hash of either.
 */
import 'server-only';
import { db } from '../db/client';
import type { RequestMeta } from '../http/request-meta';

export const SECURITY_EVENT_LABELS = {
  signup: 'Account created',
  signup_existing_email: 'Someone tried to sign up with your email',
  login_succeeded: 'Signed in',
  login_failed: 'Failed sign-in',
  login_throttled: 'Sign-in blocked after repeated failures',
  logout: 'Signed out',
  refresh_token_reuse: 'Refresh token reuse: session revoked',
  password_changed: 'Password changed',
  other_sessions_revoked: 'Other sessions signed out',
  step_up_succeeded: 'Password confirmed',
  step_up_failed: 'Password confirmation failed',
  payment_sent: 'Payment sent',
} as const;

export type SecurityEventType = keyof typeof SECURITY_EVENT_LABELS;

export async function recordSecurityEvent(event: {
  type: SecurityEventType;
  userId: string | null;
  sessionId?: string | null;
  meta?: RequestMeta;
  detail?: string;
  now?: Date;
}): Promise<void> {
  await db().securityEvent.create({
    data: {
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
