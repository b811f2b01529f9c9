import type { Metadata } from 'next';
import { requireLiveSessionForPage } from '@/lib/dal';
import { describeDevice } from '@/lib/format/device';
import { getConfig } from '@/lib/proxy-safe/config';
import { listActiveSessions } from '@/lib/session/session-store';
import { SessionEnded } from '../components/session-ended';
import { SessionList, type SessionView } from './session-list';

export const metadata: Metadata = { title: 'Sessions' };

/**
 * Every live session of the signed-in user (ASVS 7.5.2), this browser's marked, each other one with a
 * Sign out button. Ending sessions goes through the checked path with step-up
 * (lib/sensitive-actions/sign-out-sessions-action.ts).
 */
export default async function SessionsPage() {
  const { claims, live } = await requireLiveSessionForPage('/sessions');
  if (!live) {
    return (
      <>
        <h1>Sessions</h1>
        <SessionEnded returnTo="/sessions" />
      </>
    );
  }
  const rows = await listActiveSessions(claims.userId);
  const sessions: SessionView[] = rows
    .map((row) => ({
      id: row.id,
      device: describeDevice(row.userAgent),
      ipAddress: row.ipAddress,
      signedInAt: row.createdAt.toISOString(),
      lastActiveAt: row.lastActiveAt.toISOString(),
      current: row.id === claims.sessionId,
    }))
    // This device first, then the most recently active.
    .sort((a, b) => Number(b.current) - Number(a.current));
  const readMinutes = Math.ceil(getConfig().ACCESS_TOKEN_TTL_SECONDS / 60);
  return (
    <>
      <h1>Sessions</h1>
      <p className="lede">
        Every browser and device signed in to your account. If you do not recognise one, sign it out and change your
        password.
      </p>
      <p className="muted">
        Signing a session out ends it at once: it can no longer renew its sign-in, send a payment or change your
        password. A page it already has open may still be readable for up to {readMinutes} minute
        {readMinutes === 1 ? '' : 's'}, until its access token expires. If you have not typed your password in the last few minutes, you will be
        asked for it first.
      </p>
      <SessionList sessions={sessions} />
    </>
  );
}
