/**
 * The site's metadata and viewport, exported by the root layout (app/layout.tsx): title, description,
 * icons and the social preview (Open Graph, Twitter card) with absolute URLs.
 */
import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import { getConfig } from '@/lib/config/config';
import { expectedOrigin } from '@/lib/request/origin';

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
      ...SITE_METADATA,
      openGraph: { ...SITE_METADATA.openGraph, images: undefined },
      twitter: { ...SITE_METADATA.twitter, card: 'summary', images: undefined },
    };
  }
  return { ...SITE_METADATA, metadataBase: new URL(origin) };
}

export const SITE_METADATA: Metadata = {
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
