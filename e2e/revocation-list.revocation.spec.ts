/**
 * ACCESS_TOKEN_CHECK=revocation-list with several instances: two `next start` servers on one SQLite
 * file (`revocation` and `revocationPeer` in e2e/support/servers.ts). A sign-out on one is refused by
 * the other within the stated bound of one second (each process reloads its list when it is older
 * than 500 ms). The tokens live 5 seconds there, so the refusal cannot be the token expiring.
 */
import { E2E_SERVERS } from './support/servers';
import { cookieNamed, expect, signInThroughApi, test } from './support/fixtures';

const BOUND_MS = 1_000;

test(`a sign-out on one server is refused by the other server within ${BOUND_MS} ms`, async ({ browser, account, baseURL }) => {
  const peer = E2E_SERVERS.revocationPeer;
  test.skip(peer === null, 'needs two instances of a revocation-list deployment: set E2E_REVOCATION_BASE_URL and E2E_REVOCATION_PEER_BASE_URL');

  const browserA = await browser.newContext({ baseURL });
  await signInThroughApi(browserA, baseURL!, account);
  // A copy of the cookies, used against the other server (cookies are per host, not per port).
  const thief = await browser.newContext({ baseURL: peer!.url });
  await thief.addCookies(await browserA.cookies());
  const readOnPeer = async () => (await thief.request.get(`${peer!.url}/api/me`)).status();
  try {
    const access = await cookieNamed(browserA, 'access_token');
    const tokenExpiresAt = access!.expires * 1000;

    // The other server serves the copy from a warm, cached list.
    for (let i = 0; i < 5; i++) expect(await readOnPeer()).toBe(200);

    const logout = await browserA.request.post('/api/auth/logout', { headers: { Origin: baseURL! } });
    expect(logout.ok()).toBe(true);
    const signedOutAt = Date.now();

    let refusedAt: number | null = null;
    while (refusedAt === null && Date.now() - signedOutAt < 3 * BOUND_MS) {
      if ((await readOnPeer()) === 401) refusedAt = Date.now();
      else await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(refusedAt, 'the other server refused the copy').not.toBeNull();
    expect(refusedAt! - signedOutAt).toBeLessThanOrEqual(BOUND_MS);
    expect(refusedAt!, 'refused because revoked, well before the token would expire').toBeLessThan(tokenExpiresAt - 1_000);
    // And the server where the sign-out happened refuses it too.
    expect((await thief.request.get(`${baseURL}/api/me`)).status()).toBe(401);
  } finally {
    await thief.close();
    await browserA.close();
  }
});
