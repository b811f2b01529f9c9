/**
 * Accessibility checks shared by the specs: axe-core on the page as it is now, and the phone-width
 * check (nothing scrolls sideways). A failure lists each violation with the elements it found, so the
 * report says what to fix.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** WCAG 2.0, 2.1 and 2.2, levels A and AA, plus axe's best practices (landmarks, headings, ...). */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

export async function expectNoAxeViolations(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const violations = results.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact,
    help: violation.help,
    elements: violation.nodes.map((node) => `${node.target.join(' ')}: ${node.failureSummary ?? ''}`),
  }));
  expect(violations, `axe violations on ${label}`).toEqual([]);
}

/** At the page's current viewport, the document is no wider than the window. */
export async function expectNoSidewaysScroll(page: Page, label: string): Promise<void> {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  expect(scroll, `${label} scrolls sideways at ${inner} px`).toBeLessThanOrEqual(inner);
}
