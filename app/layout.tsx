import type { Metadata } from 'next';
import Link from 'next/link';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Secure sessions for Next.js', template: '%s · Secure sessions' },
  description: 'What happens to a JWT after logout, shown with working code.',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <Link href="/" className="brand">
            Secure sessions
          </Link>
          <nav aria-label="Main">
            <Link href="/dashboard">Dashboard</Link>
            <Link href="/payments">Payments</Link>
            <Link href="/settings/password">Password</Link>
          </nav>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
