import { cookies } from 'next/headers';
import { signedOutReasonCookieName } from '@/lib/tokens/cookies';
import { parseSignedOutReason, SIGNED_OUT_MESSAGES } from '@/lib/session/signed-out-reason';
import { SignedOutNoticeSeen } from './signed-out-notice-seen';
import styles from './signed-out-notice.module.css';

/**
 * Why this browser was signed out, when it was not its own doing: one sentence, from the short-lived
 * cookie that the failed renewal or the refused action set for the holder of that session
 * (lib/session/signed-out-reason.ts). Never from the query string, which any site could link with.
 * Shown once: `SignedOutNoticeSeen` then has the cookie deleted, so a reload shows nothing.
 */
export async function SignedOutNotice() {
  const reason = parseSignedOutReason((await cookies()).get(signedOutReasonCookieName())?.value);
  if (!reason) return null;
  return (
    <div role="status" className={`message ${styles.notice}`}>
      <p>{SIGNED_OUT_MESSAGES[reason]}</p>
      <SignedOutNoticeSeen />
    </div>
  );
}
