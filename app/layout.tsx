import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Secure sessions for Next.js', template: '%s · Secure sessions' },
  description: 'What happens to a JWT after logout, shown with working code.',
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page renders per request: the Content-Security-Policy nonce (proxy.ts) is new each time,
  // and a page prerendered at build time would carry scripts without it, which the CSP blocks.
  await connection();
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
