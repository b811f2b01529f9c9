// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native modules stay outside the server bundle and are loaded by Node at run time.
  serverExternalPackages: ['better-sqlite3', 'argon2'],
  poweredByHeader: false,
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;
