// @ts-check

import { NON_PAGE_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from './lib/request/static-headers.js';

/** Next.js's own default page extensions. */
const PAGE_EXTENSIONS = ['tsx', 'ts', 'jsx', 'js'];

/**
 * What `BENCH_ROUTES=1 next build` adds (npm run bench sets it): the benchmark's routes, named
 * `route.bench.ts` (app/probe/), and the value proxy.ts reads, written into the server bundles when
 * they are compiled. Without it the build has neither; the server's environment at run time changes
 * nothing (docs/decisions/0021-benchmark-routes-only-in-a-bench-build.md).
 * @param {string | undefined} switchValue the BENCH_ROUTES environment variable at build time
 */
export function benchRouteOptions(switchValue) {
  const enabled = switchValue === '1';
  return {
    pageExtensions: enabled ? [...PAGE_EXTENSIONS, 'bench.ts'] : PAGE_EXTENSIONS,
    compiler: { defineServer: { 'process.env.BENCH_ROUTES': enabled ? '1' : '' } },
  };
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native modules stay outside the server bundle and are loaded by Node at run time.
  serverExternalPackages: ['better-sqlite3', 'argon2'],
  poweredByHeader: false,
  ...benchRouteOptions(process.env.BENCH_ROUTES),
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
          ...STATIC_SECURITY_HEADERS,
          // The page Content-Security-Policy (with its per-request nonce) and HSTS (only over https)
          // depend on the request, so proxy.ts sets them.
        ],
      },
      {
        // The APIs are outside the proxy: their answers (JSON, the 404 of an unknown API path) get a
        // policy that allows nothing. Not /api/auth/refresh: a header set here replaces the one a
        // handler sets, and its renewal page needs its own (app/api/auth/refresh/route.ts sets both).
        source: '/api/:path((?!auth/refresh$).*)',
        headers: [{ key: 'Content-Security-Policy', value: NON_PAGE_CONTENT_SECURITY_POLICY }],
      },
    ];
  },
};

export default nextConfig;
