/**
 * Accessibility checks shared by the specs: axe-core on the page as it is now, and the phone-width
 * check (nothing scrolls sideways). A failure lists each violation with the elements it found, so the
 * report says what to fix.
 *
 * axe runs in the page itself (`setLegacyMode`): by default @axe-core/playwright opens a blank page in
 * the context for every check to assemble per-frame results, which tripled each check's time. The two
 * differ only for cross-origin frames, and the app has none (docs/decisions/0080-e2e-suite-speed.md).
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** WCAG 2.0, 2.1 and 2.2, levels A and AA, plus axe's best practices (landmarks, headings, ...). */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

const THEMES = ['light', 'dark'] as const;

export async function expectNoAxeViolations(page: Page, label: string): Promise<void> {
  // Legacy mode skips cross-origin frames: a page that gains a frame needs the default mode back.
  expect(page.frames().map((frame) => frame.url()), `${label}: frames axe's legacy mode would skip`).toHaveLength(1);
  const results = await new AxeBuilder({ page }).withTags(TAGS).setLegacyMode(true).analyze();
  const violations = results.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact,
    help: violation.help,
    elements: violation.nodes.map((node) => `${node.target.join(' ')}: ${node.failureSummary ?? ''}`),
  }));
  expect(violations, `axe violations on ${label}`).toEqual([]);
}

/**
 * Runs axe on `page` in the light theme, then in the dark. The themes are CSS alone
 * (`prefers-color-scheme` in app/globals.css), so switching the emulated media restyles the page in
 * place, in the state it is in: one page load and one form submission serve both themes. The page's
 * background is read in each, so a switch that did not take effect fails here.
 */
export async function expectNoViolationsInEitherTheme(page: Page, label: string) {
  const backgrounds: string[] = [];
  for (const colorScheme of THEMES) {
    await page.emulateMedia({ colorScheme });
    // Buttons fade to their new colours (a 120 ms transition): check the colours they settle on.
    await page.evaluate(() =>
      Promise.all(document.getAnimations().filter((animation) => animation instanceof CSSTransition).map((animation) => animation.finished.catch(() => null))),
    );
    backgrounds.push(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor));
    await expectNoAxeViolations(page, `${label}, ${colorScheme}`);
  }
  expect(backgrounds[1], `${label}: the dark theme restyled the page`).not.toBe(backgrounds[0]);
}

/** At the page's current viewport, the document is no wider than the window. */
export async function expectNoSidewaysScroll(page: Page, label: string): Promise<void> {
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  expect(scroll, `${label} scrolls sideways at ${inner} px`).toBeLessThanOrEqual(inner);
}
