import Link from 'next/link';
import { verifySession } from '@/lib/dal';
import { Logo } from './logo';
import { SiteNav, type NavItem } from './site-nav';

/** What a signed-in person can go to. /sessions, /activity and /lab are the lab's pages. */
const SIGNED_IN: NavItem[] = [
  { href: '/dashboard', label: 'Dashboard' },
  { href: '/payments', label: 'Payments' },
  { href: '/sessions', label: 'Sessions' },
  { href: '/activity', label: 'Activity' },
  { href: '/settings/password', label: 'Settings', matches: '/settings' },
  { href: '/lab', label: 'Lab' },
];

const VISITOR: NavItem[] = [
  { href: '/login', label: 'Sign in' },
  { href: '/signup', label: 'Create account' },
];

/**
 * The header reads the session statelessly (the access token alone, no database), like every
 * read-only page: after logout a copied token still shows the signed-in links until it expires, and
 * the sensitive actions behind them still refuse it.
 */
export async function SiteHeader() {
  const session = await verifySession();
  return (
    <header className="site-header">
      <div className="site-header-inner">
        {/* No prefetch, like the navigation's links (app/components/site-nav.tsx). */}
        <Link href={session ? '/dashboard' : '/'} className="brand" prefetch={false}>
          <Logo />
          <span>Secure sessions</span>
        </Link>
        <SiteNav items={session ? SIGNED_IN : VISITOR} signedIn={session !== null} />
      </div>
    </header>
  );
}
