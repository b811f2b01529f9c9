'use client';

import { useEffect } from 'react';

/**
 * Once the notice is on screen, asks the server to delete the reason cookie (it is HttpOnly), so a
 * reload of the sign-in page does not show the notice again. The text stays until the person leaves.
 */
export function SignedOutNoticeSeen() {
  useEffect(() => {
    void fetch('/api/auth/signed-out-notice', { method: 'POST', credentials: 'same-origin', cache: 'no-store' }).catch(() => {
      // Offline or refused: the cookie lapses on its own after two minutes.
    });
  }, []);
  return null;
}
