'use client';

import { useEffect, useState } from 'react';

/** The expiry time, with a countdown that makes the short lifetime visible. */
export function AccessTokenClock({ expiresAt }: { expiresAt: string }) {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const remaining = now === null ? null : Math.max(0, Math.round((Date.parse(expiresAt) - now) / 1000));
  return (
    <span data-testid="access-token-expiry">
      <time dateTime={expiresAt}>{expiresAt}</time>
      {remaining === null ? null : (
        <span className="muted">
          {' '}
          ({remaining > 0 ? `in ${Math.floor(remaining / 60)}m ${remaining % 60}s` : 'expired: renews on next request'})
        </span>
      )}
    </span>
  );
}
