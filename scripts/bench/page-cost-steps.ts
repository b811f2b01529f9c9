/**
 * What a page of this app adds to the bare app's dynamic page, each part as a bare-app variant
 * (bare-app.ts `BareStep`) that page-cost.ts measures beside the bare app and this app: the nonce CSP
 * (every page of this app has it) written by the proxy, or by a server hook with a proxy that does
 * nothing; then, over the nonce proxy, a static title only, this app's metadata as a static object,
 * its metadata as app/site-metadata.ts has it, and its whole root layout (metadata, header, navigation,
 * footer, styles). The variants import the repository's own files, so what is measured is the app's
 * code and a change to it builds anew.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BareStep } from './bare-app';
import { fixedCostSteps } from './fixed-cost-steps';

/** The repository files the root layout renders or reads, for the variant's hash. */
function layoutImports(root: string): string[] {
  const components = readdirSync(path.join(root, 'app/components')).map((file) => `app/components/${file}`);
  const metadata = readdirSync(path.join(root, 'app')).filter((file) => /^(layout|site-metadata)\.tsx?$/.test(file) || file === 'globals.css');
  return [...metadata.map((file) => `app/${file}`), ...components, 'lib/dal.ts', 'lib/request/origin.ts', 'lib/config/config.ts'];
}

export function pageCostSteps(root: string): BareStep[] {
  const proxyCsp = fixedCostSteps(root).find((step) => step.name === 'proxy with the nonce CSP');
  if (!proxyCsp) throw new Error('fixed-cost-steps.ts no longer has the step "proxy with the nonce CSP"');
  // Relative from the variant's app/ folder in the temporary directory (bare-app.ts): Turbopack resolves no absolute paths.
  const repo = (file: string) => JSON.stringify(path.relative(path.join(tmpdir(), 'bare-app', 'app'), path.join(root, file)));
  const fromRoot = (file: string) => JSON.stringify(path.relative(path.join(tmpdir(), 'bare-app'), path.join(root, file)));
  // The nonce CSP set by a server hook instead of the proxy (which then passes the page on untouched):
  // Next.js reads the nonce from the request's header either way; only the proxy's request-header
  // override is gone. Paths as proxy.ts's matcher.
  const hookCsp: BareStep = {
    name: 'nonce CSP from a server hook and a proxy that does nothing',
    files: {
      'instrumentation.js': `export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const net = (await import('node:net')).default;
  const { contentSecurityPolicy, createNonce } = await import(${fromRoot('lib/request/security-headers.ts')});
  const page = /^\\/(?!api\\/|_next\\/static\\/|_next\\/image|favicon\\.ico)/;
  const emit = net.Server.prototype.emit;
  net.Server.prototype.emit = function (event, ...args) {
    if (event === 'request' && page.test(args[0].url)) {
      const policy = contentSecurityPolicy(createNonce(), { https: false, development: false });
      args[0].headers['content-security-policy'] = policy;
      args[1].setHeader('Content-Security-Policy', policy);
    }
    return emit.call(this, event, ...args);
  };
}
`,
      'proxy.js': fixedCostSteps(root).find((step) => step.name === 'proxy that does nothing')!.files['proxy.js'],
    },
    imports: proxyCsp.imports,
  };
  const imports = [...proxyCsp.imports, ...layoutImports(root)];
  const metadataOnly = `// The bare layout, with this app's root metadata and viewport (app/layout.tsx).
export { generateMetadata, viewport } from ${repo('app/layout.tsx')};

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
`;
  // The same metadata as a static object (the origin fixed), and only a title and description: how
  // much of the metadata's cost is the request-dependent generateMetadata, how much the tags themselves.
  const staticMetadata = `// The bare layout, with this app's root metadata as a static object (app/site-metadata.ts).
import { SITE_METADATA } from ${repo('app/site-metadata.ts')};
export { viewport } from ${repo('app/site-metadata.ts')};

export const metadata = { ...SITE_METADATA, metadataBase: new URL('http://localhost') };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
`;
  const titleOnly = `// The bare layout, with a static title and description only.
export const metadata = { title: 'Secure sessions for Next.js', description: 'What happens to a JWT after logout.' };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
`;
  const wholeLayout = `// This app's root layout (app/layout.tsx) around the bare page: metadata, header, navigation, footer, styles.
export { default, generateMetadata, viewport } from ${repo('app/layout.tsx')};
`;
  return [
    proxyCsp,
    hookCsp,
    { name: 'nonce proxy and a title only', files: { ...proxyCsp.files, 'app/layout.jsx': titleOnly }, imports: proxyCsp.imports },
    { name: 'nonce proxy and the metadata as a static object', files: { ...proxyCsp.files, 'app/layout.jsx': staticMetadata }, imports },
    { name: 'nonce proxy and the layout metadata', files: { ...proxyCsp.files, 'app/layout.jsx': metadataOnly }, imports },
    { name: 'nonce proxy and the whole layout', files: { ...proxyCsp.files, 'app/layout.jsx': wholeLayout }, imports },
  ];
}
