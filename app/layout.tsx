import { connection } from 'next/server';
import { RouteFocus } from './components/route-focus';
import { SiteHeader } from './components/site-header';
import './globals.css';

export { generateMetadata, viewport } from './site-metadata';

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
