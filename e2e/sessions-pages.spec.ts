/**
 * /sessions stays small however many sessions an account holds (finding: at 151 sessions the page was
 * 154 KB, one card per session): this device on every page, the others 10 at a time, with Newer and
 * Older links a keyboard reaches. The 150 extra sessions are written into the server's database
 * (e2e/support/add-sessions.ts), so this runs only against a server the suite started.
 */
import { execFileSync } from 'node:child_process';
import { E2E_SERVERS } from './support/servers';
import { expect, test } from './support/fixtures';

test.skip(!E2E_SERVERS.main.start, 'writes sessions into the server’s database: needs a server the suite started');

const OTHERS_PER_PAGE = 10;

test('at 151 sessions a page of /sessions holds this device and 10 others, and Older / Newer walk them all', async ({ signedIn }) => {
  const { page, account } = signedIn;
  const sizeOf = async () => (await (await page.request.get('/sessions')).body()).length;
  const oneSession = await sizeOf();

  execFileSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'e2e/support/add-sessions.ts', account.email, '150'], {
    env: { ...process.env, ...E2E_SERVERS.main.start!.env },
    stdio: 'inherit',
  });

  const manySessions = await sizeOf();
  // Ten more cards than with one session, not 150: the 154 KB page the finding measured is gone.
  expect(manySessions).toBeLessThan(oneSession + 20_000);

  await page.goto('/sessions');
  await expect(page.getByRole('heading', { name: '151 active sessions' })).toBeVisible();
  const cards = page.getByRole('region', { name: /active sessions/ }).getByRole('listitem');
  await expect(cards).toHaveCount(1 + OTHERS_PER_PAGE);
  await expect(cards.first()).toContainText('This device');
  const pages = page.getByRole('navigation', { name: 'Session pages' });
  await expect(pages.getByRole('link', { name: 'Newer sessions' })).toHaveCount(0);

  // Walk to the last page with the keyboard-reachable Older link; every other session appears once.
  const seen = new Set<string>();
  const others = cards.filter({ hasNotText: 'This device' });
  const firstOther = others.first().locator('input[name="sessionId"]');
  for (let visited = 0; visited < 20; visited++) {
    const ids = await others.locator('input[name="sessionId"]').evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
    for (const id of ids) {
      expect(seen.has(id), 'no session on two pages').toBe(false);
      seen.add(id);
    }
    await expect(cards.first()).toContainText('This device');
    const older = pages.getByRole('link', { name: 'Older sessions' });
    if ((await older.count()) === 0) break;
    await older.focus();
    await page.keyboard.press('Enter');
    // The next page has rendered once its first card is another session.
    await expect(firstOther).not.toHaveValue(ids[0]);
  }
  expect(seen.size).toBe(150);
  await expect(pages.getByRole('link', { name: 'Newer sessions' })).toBeVisible();
  await expect(pages.getByRole('link', { name: 'Newest' })).toBeVisible();
  // "Sign out all other sessions" still means all 150, not the page.
  await expect(page.getByRole('button', { name: 'Sign out all other sessions' })).toBeVisible();
});
