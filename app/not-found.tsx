import type { Metadata } from 'next';
import Link from 'next/link';
import { verifySession } from '@/lib/dal';

export const metadata: Metadata = { title: 'Page not found' };

/** Any path the app does not have. Says so plainly and offers the way home (the dashboard when signed in). */
export default async function NotFound() {
  const signedIn = (await verifySession()) !== null;
  return (
    <div className="status-page narrow">
      <p className="status-code">Error 404</p>
      <h1>Page not found</h1>
      <p className="lede">There is no page at this address. It may have moved, or the link may be mistyped.</p>
      <div className="actions">
        <Link className="button" href={signedIn ? '/dashboard' : '/'}>
          {signedIn ? 'Go to your dashboard' : 'Go to the home page'}
        </Link>
      </div>
    </div>
  );
}
