/**
 * Watches a browser for Content-Security-Policy violations (e2e/security-headers*.spec.ts).
 */
import type { BrowserContext, Page } from '@playwright/test';

export type Violation = { directive: string; blocked: string; source: string };

/** Records CSP violations two ways: the DOM event, and Chromium's console report of the same. */
export async function watchViolations(context: BrowserContext, page: Page): Promise<Violation[]> {
  const violations: Violation[] = [];
  // Bindings and init scripts are injected by the browser's debugging protocol, not by the page, so
  // the CSP under test does not block the listener itself.
  await context.exposeBinding('__reportCspViolation', (_source, violation: Violation) => {
    violations.push(violation);
  });
  await context.addInitScript(() => {
    document.addEventListener(
      'securitypolicyviolation',
      (event) => {
        (window as unknown as { __reportCspViolation: (v: unknown) => void }).__reportCspViolation({
          directive: event.effectiveDirective,
          blocked: event.blockedURI,
          source: `${event.sourceFile}:${event.lineNumber}`,
        });
      },
      true,
    );
  });
  page.on('console', (message) => {
    if (/Content[ -]Security[ -]Policy/i.test(message.text())) {
      violations.push({ directive: 'console', blocked: message.text(), source: message.location().url });
    }
  });
  return violations;
}

/** Every HTML document the browser loads must carry the policy, with a nonce. */
export function watchDocuments(page: Page): string[] {
  const documentsWithoutPolicy: string[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' || response.status() >= 300) return;
    const policy = response.headers()['content-security-policy'] ?? '';
    if (!/script-src [^;]*'nonce-[^']+'/.test(policy) || /script-src [^;]*'unsafe-inline'/.test(policy)) {
      documentsWithoutPolicy.push(response.url());
    }
  });
  return documentsWithoutPolicy;
}

/** Waits for the page's own scripts to have run: the client-side router answers a link click. */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => document.readyState === 'complete');
}

