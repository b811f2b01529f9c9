import { clearSignedOutReasonCookie } from '@/lib/tokens/cookies';
import { routeHandler } from '@/lib/route/route-handler';
import { json } from '@/lib/route/responses';

/**
 * POST /api/auth/signed-out-notice: the sign-in page has shown why this browser was signed out
 * (app/login/signed-out-notice.tsx), so the reason cookie goes: a reload must not say it again. A
 * server component cannot delete a cookie, and a server action that did would re-render the page
 * without the notice before it was read; a plain fetch to this route does neither. No body is read.
 * Same-origin only: another site must not be able to clear it either (harmless, but not its business).
 */
export const POST = routeHandler({}, async () => {
  const response = json({ ok: true });
  // Deleted with the attributes it was set with (`__Host-`: Secure, Path=/), or Chromium ignores it.
  clearSignedOutReasonCookie(response.cookies);
  return response;
});
