/**
 * The steps this app adds to every request that a bare Next.js app does not, each as files written
 * over the bare app (bare-app.ts `BareStep`), so fixed-cost.ts can measure each one on its own beside
 * the bare app: the server hook, the configured headers, a proxy that does nothing, the proxy's nonce
 * CSP. They import the repository's own modules, so what is measured is the app's code, not a copy.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BareStep } from './bare-app';

/** proxy.ts's matcher: pages only. Checked against proxy.ts, so a changed matcher fails here, not quietly. */
const MATCHER = "['/((?!api/|_next/static/|_next/image|favicon.ico).*)']";

export function fixedCostSteps(root: string): BareStep[] {
  if (!readFileSync(path.join(root, 'proxy.ts'), 'utf8').includes(`matcher: ${MATCHER}`)) {
    throw new Error(`proxy.ts's matcher is no longer ${MATCHER}: update scripts/bench/fixed-cost-steps.ts`);
  }
  // Turbopack resolves relative imports only: from the bare app's folder, which is directly in the
  // temporary directory (bare-app.ts), to the repository's file. Node.js loads next.config.mjs itself.
  const repo = (file: string) => JSON.stringify(path.relative(path.join(tmpdir(), 'bare-app'), path.join(root, file)));
  const absolute = (file: string) => JSON.stringify(path.join(root, file));
  const baseConfig = readFileSync(path.join(import.meta.dirname, 'bare-app/next.config.mjs'), 'utf8');

  const hook: BareStep['files'] = {
    // instrumentation.ts's line for the hook, and nothing else of it.
    'instrumentation.js': `export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { installPeerAddressHook } = await import(${repo('lib/request/request-context-hook.ts')});
    installPeerAddressHook();
  }
}
`,
  };
  const headers: BareStep['files'] = {
    // next.config.js's headers and its poweredByHeader, on the bare app's configuration.
    'next.config.mjs': `import { NON_PAGE_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from ${absolute('lib/request/static-headers.js')};
${baseConfig.replace(
  'export default {',
  `export default {
  poweredByHeader: false,
  async headers() {
    return [
      { source: '/:path*', headers: [...STATIC_SECURITY_HEADERS] },
      { source: '/api/:path((?!auth/refresh$).*)', headers: [{ key: 'Content-Security-Policy', value: NON_PAGE_CONTENT_SECURITY_POLICY }] },
    ];
  },`,
)}`,
  };
  const proxy: BareStep['files'] = {
    'proxy.js': `import { NextResponse } from 'next/server';

export function proxy() {
  return NextResponse.next();
}

export const config = { matcher: ${MATCHER} };
`,
  };
  const proxyCsp: BareStep['files'] = {
    // proxy.ts's withContentSecurityPolicy for a GET over http: a fresh nonce, the policy on the
    // request (Next.js puts the nonce on its scripts) and on the response.
    'proxy.js': `import { NextResponse } from 'next/server';
import { contentSecurityPolicy, createNonce } from ${repo('lib/request/security-headers.ts')};

export function proxy(request) {
  const policy = contentSecurityPolicy(createNonce(), { https: false, development: false });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = { matcher: ${MATCHER} };
`,
  };
  const hookImports = ['lib/request/request-context-hook.ts', 'lib/request/request-context.ts', 'lib/request/request-edge.ts', 'lib/request/origin.ts', 'lib/request/trusted-proxy.ts', 'lib/config/config.ts'];
  return [
    { name: 'server hook', files: hook, imports: hookImports },
    { name: 'configured headers', files: headers, imports: ['lib/request/static-headers.js'] },
    { name: 'proxy that does nothing', files: proxy, imports: [] },
    { name: 'proxy with the nonce CSP', files: proxyCsp, imports: ['lib/request/security-headers.ts'] },
    {
      name: 'all of them',
      files: { ...hook, ...headers, ...proxyCsp },
      imports: [...hookImports, 'lib/request/static-headers.js', 'lib/request/security-headers.ts'],
    },
  ];
}
