// @ts-check

/**
 * Powerful browser features this app never uses, switched off for it and for anything it embeds, so
 * an injected script cannot ask for them in the app's name (W3C Permissions Policy).
 */
const permissionsPolicy = [
  'accelerometer=()',
  'autoplay=()',
  'camera=()',
  'display-capture=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'payment=()',
  'publickey-credentials-get=()',
  'screen-wake-lock=()',
  'serial=()',
  'usb=()',
  'xr-spatial-tracking=()',
  'browsing-topics=()',
].join(', ');

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native modules stay outside the server bundle and are loaded by Node at run time.
  serverExternalPackages: ['better-sqlite3', 'argon2'],
  poweredByHeader: false,
  experimental: {
    // Posts to pages are server actions with small forms. proxy.ts refuses a declared length over
    // 64 KiB with 413 (PAGE_POST_MAX_BYTES); these cap a body sent without a length: Next.js copies
    // a request body for the proxy (10 MB by default, now run on every page) and reads an action body
    // (1 MB by default) into memory.
    proxyClientMaxBodySize: '64kb',
    serverActions: { bodySizeLimit: '64kb' },
  },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'Permissions-Policy', value: permissionsPolicy },
          // The Content-Security-Policy (with its per-request nonce) and HSTS (only over https) depend
          // on the request, so proxy.ts sets them.
        ],
      },
    ];
  },
};

export default nextConfig;
