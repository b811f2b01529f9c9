import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import { getConfig } from '@/lib/proxy-safe/config';
import { SiteHeader } from './components/site-header';
import './globals.css';

const DESCRIPTION = 'What happens to a JWT after logout, shown with working code.';

/**
 * Page metadata. Social previews need absolute image URLs: APP_URL (README, "Configuration") names the
 * public origin; without it Next.js falls back to localhost, which only matters for link previews.
 */
export async function generateMetadata(): Promise<Metadata> {
  const appUrl = getConfig().APP_URL;
  return { ...METADATA, metadataBase: appUrl ? new URL(appUrl) : undefined };
}

const METADATA: Metadata = {
  title: { default: 'Secure sessions for Next.js', template: '%s · Secure sessions' },
  description: DESCRIPTION,
  icons: {
    icon: [
      { url: '/icon.svg', type: 'image/svg+xml' },
      { url: '/favicon.ico', sizes: '32x32' },
    ],
    apple: '/apple-touch-icon.png',
  },
  openGraph: {
    title: 'Secure sessions for Next.js',
    description: DESCRIPTION,
    type: 'website',
    images: [{ url: '/og.png', width: 1200, height: 630, alt: 'Secure sessions: what happens to a JWT after logout' }],
  },
  twitter: { card: 'summary_large_image', images: ['/og.png'] },
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#161c25' },
  ],
  colorScheme: 'light dark',
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
        <SiteHeader />
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <div className="site-footer-inner">
            <p>A reference app: short-lived JWTs, rotating refresh tokens, and actions that re-check the session.</p>
          </div>
        </footer>
      </body>
    </html>
  );
}
