import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import { connection } from 'next/server';
import { getConfig } from '@/lib/config/config';
import { expectedOrigin } from '@/lib/request/origin';
import { RouteFocus } from './components/route-focus';
import { SiteHeader } from './components/site-header';
import './globals.css';

const DESCRIPTION = 'What happens to a JWT after logout, shown with working code.';

/**
 * Page metadata. Social previews need absolute image URLs, so they need the public origin: APP_URL
 * (README, "Configuration") when set, else the origin this request was sent to, judged by the same
 * rule as the CSRF check (the Host header, or a trusted proxy's forwarding headers). Next.js's own
 * fallback is http://localhost:3000, which would be wrong on every deployment and warns on each start.
 * When the origin cannot be known (no usable Host), the preview images are left out rather than
 * pointed at a guess.
 */
export async function generateMetadata(): Promise<Metadata> {
  const appUrl = getConfig().APP_URL;
  const origin = appUrl ? new URL(appUrl).origin : expectedOrigin(await headers());
  if (!origin) {
    return {
      ...METADATA,
      openGraph: { ...METADATA.openGraph, images: undefined },
      twitter: { ...METADATA.twitter, card: 'summary', images: undefined },
    };
  }
  return { ...METADATA, metadataBase: new URL(origin) };
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
        <RouteFocus />
      </body>
    </html>
  );
}
