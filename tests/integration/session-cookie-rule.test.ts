/**
 * The rule lib/sensitive-actions/checked-action.ts enforces: a server action issues session cookies
 * (access, refresh, hint) only after a password typed and checked in that same request. A server
 * action's caller shows nothing but an access token (the refresh cookie never reaches an action), and
 * a copied access token must stay what it is: good for minutes, never a whole session (ASVS 7.2.4).
 *
 * Checked for every server action the app exports (found by reading app/ for 'use server' modules),
 * each driven by a caller holding only a copy of a freshly signed-in victim's access token; then the
 * enforcement itself, with handlers that try to break the rule.
 *
 *   node --conditions=react-server --import tsx --import ./tests/helpers/integration-setup.ts --test tests/integration/session-cookie-rule.test.ts
 */
// database: sqlite-only — which cookies a server action may set is enforced by the checked path in JavaScript
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { useTestDatabase } from '../helpers/database';
import { createUser, formData, meta, PASSWORD, sensitiveRequestWith, signedInUser } from '../helpers/fixtures';
import { db } from '../../lib/db/client';
import { cookieNames } from '../../lib/tokens/cookies';
import { checkPasswordInSession } from '../../lib/auth/check-password';
import { issueSessionCookies } from '../../lib/tokens/issue-session-cookies';
import { createSession, liveAt } from '../../lib/session/session-store';
import {
  allowSessionCookies,
  defineSensitiveAction,
  runSensitiveAction,
  type SensitiveActionDefinition,
} from '../../lib/sensitive-actions/checked-action';
import { refuseWrongPasswordEntry } from '../../lib/sensitive-actions/password-entry';
import { changePasswordDefinition } from '../../lib/sensitive-actions/change-password-action';
import { confirmPasswordDefinition } from '../../lib/sensitive-actions/confirm-password-action';
import { sendPaymentDefinition } from '../../lib/sensitive-actions/send-payment-action';
import { signOutSessionsDefinition } from '../../lib/sensitive-actions/sign-out-sessions-action';
import { finishRefreshCopyDefinition, keepTokenCopyDefinition, startRefreshCopyDefinition, tryTokenCopyDefinition } from '../helpers/lab-copy';
import { BindingClient } from '../helpers/binding-client';

useTestDatabase();

const ROOT = join(import.meta.dirname, '../..');
const names = cookieNames();
const SESSION_COOKIES = [names.access, names.refresh, names.hint];

type Victim = Awaited<ReturnType<typeof signedInUser>>;

/** The lab's refresh-cookie experiment takes proofs signed by the page's key: a thief signs with a key of its own. */
const thiefKey = await BindingClient.generate();
const thiefProofs = {
  possession: await thiefKey.keyProof({ method: 'POST', url: 'http://localhost:3000/lab' }),
  renewal: await thiefKey.keyProof({ method: 'POST', url: 'http://localhost:3000/api/auth/refresh', nonce: 'a guess' }),
};
// `any`: a handler is contravariant in its input, so no narrower type holds definitions of every shape.
type AnyDefinition = SensitiveActionDefinition<any, any>;

/**
 * Every definition a server action wraps, with the forms a caller holding only an access token can
 * send it: everything but the password, which they do not know.
 */
const THIEF_FORMS: Record<string, { definition: AnyDefinition; forms: (victim: Victim, phone: string, recipient: string) => FormData[] }> = {
  sendPaymentDefinition: {
    definition: sendPaymentDefinition,
    forms: (_v, _p, recipient) => [formData({ recipient, amount: '1.00', idempotencyKey: randomUUID() })],
  },
  confirmPasswordDefinition: {
    definition: confirmPasswordDefinition,
    forms: () => [formData({ password: 'a guess at the victim’s password' }), formData({})],
  },
  changePasswordDefinition: {
    definition: changePasswordDefinition,
    forms: () => [
      formData({ currentPassword: 'a guess at the victim’s password', newPassword: 'chosen by the thief, long', confirmPassword: 'chosen by the thief, long' }),
    ],
  },
  signOutSessionsDefinition: {
    definition: signOutSessionsDefinition,
    forms: (_v, phone) => [formData({ scope: 'one', sessionId: phone }), formData({ scope: 'others' })],
  },
  keepTokenCopyDefinition: { definition: keepTokenCopyDefinition, forms: () => [formData({})] },
  tryTokenCopyDefinition: { definition: tryTokenCopyDefinition, forms: () => [formData({})] },
  startRefreshCopyDefinition: { definition: startRefreshCopyDefinition, forms: () => [formData({ proof: thiefProofs.possession }), formData({})] },
  finishRefreshCopyDefinition: { definition: finishRefreshCopyDefinition, forms: () => [formData({ proof: thiefProofs.renewal }), formData({})] },
};

/** Source files under `dir`, skipping what is not the app's own. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : sourceFiles(path);
    return /\.(ts|tsx)$/.test(entry.name) ? [path] : [];
  });
}

/** Every server action module in app/ and the definition each of its exports wraps. */
function serverActions(): { file: string; exportName: string; definitionName: string | null }[] {
  return sourceFiles(join(ROOT, 'app'))
    .filter((file) => /^\s*(\/\/[^\n]*\n\s*)*['"]use server['"]/.test(readFileSync(file, 'utf8')))
    .flatMap((file) => {
      const source = readFileSync(file, 'utf8');
      return [...source.matchAll(/^export\s+(?:const|let|var|async\s+function|function|default)\s*(\w*)[^\n]*/gm)].map((match) => ({
        file: relative(ROOT, file),
        exportName: match[1],
        definitionName: /=\s*sensitiveAction\(\s*(\w+)/.exec(match[0])?.[1] ?? null,
      }));
    });
}

/** Sessions of the user that could still be renewed: a live row with a refresh token not yet used or withdrawn. */
async function renewableSessions(userId: string): Promise<string[]> {
  const tokens = await db().refreshToken.findMany({
    where: { rotatedAt: null, revokedAt: null, session: { userId, ...liveAt(new Date()) } },
    select: { sessionId: true },
  });
  return [...new Set(tokens.map((t) => t.sessionId))].sort();
}

function sessionCookiesIn(set: Map<string, { value: string }>): string[] {
  return SESSION_COOKIES.filter((name) => (set.get(name)?.value ?? '') !== '');
}

describe('no server action issues session cookies to a caller that showed only an access token', () => {
  test('every server action in app/ wraps a checked definition, and each one is covered below', () => {
    const actions = serverActions();
    assert.ok(actions.length >= 6, `found ${actions.length} server actions`);
    for (const action of actions) {
      assert.ok(action.definitionName, `${action.file} exports ${action.exportName} without sensitiveAction(...)`);
      assert.ok(Object.hasOwn(THIEF_FORMS, action.definitionName), `${action.file}: ${action.definitionName} has no entry in THIEF_FORMS`);
    }
  });

  for (const [name, { definition, forms }] of Object.entries(THIEF_FORMS)) {
    test(`${name}: a copied access token gets no session cookie and no new renewable session`, async (t) => {
      t.mock.method(console, 'error', () => undefined); // the lab's loopback read finds no server here
      const recipient = await createUser();
      // Just signed in, so the session holds step-up credit: the most a copied access token can carry.
      const victim = await signedInUser();
      const phone = (await createSession(victim.user.id, meta)).session.id;
      const before = await renewableSessions(victim.user.id);
      for (const form of forms(victim, phone, recipient.email)) {
        const { request, cookiesSet } = sensitiveRequestWith(victim.accessToken, new Date());
        const result = await runSensitiveAction(definition, request, form);
        assert.notEqual(result.status === 'error' && result.code, 'unexpected', JSON.stringify(result));
        assert.deepEqual(sessionCookiesIn(cookiesSet), [], `${name}: ${JSON.stringify(result)}`);
      }
      const after = await renewableSessions(victim.user.id);
      assert.ok(after.every((id) => before.includes(id)), 'no session the caller could renew was made');
    });
  }

  test('the two that may issue cookies do so only with the password typed in the request', async () => {
    for (const [definition, form] of [
      [confirmPasswordDefinition, formData({ password: PASSWORD })],
      [changePasswordDefinition, formData({ currentPassword: PASSWORD, newPassword: 'a brand new password here', confirmPassword: 'a brand new password here' })],
    ] as const) {
      const person = await signedInUser();
      const { request, cookiesSet } = sensitiveRequestWith(person.accessToken, new Date());
      const result = await runSensitiveAction(definition as AnyDefinition, request, form);
      assert.equal(result.status, 'success', JSON.stringify(result));
      assert.deepEqual(sessionCookiesIn(cookiesSet).sort(), [...SESSION_COOKIES].sort());
    }
  });
});

describe('the checked path enforces it, whatever a handler does', () => {
  const NOTHING = z.object({ password: z.string().optional() });

  async function run(definition: AnyDefinition, form = formData({})) {
    const person = await signedInUser();
    const { request, cookiesSet } = sensitiveRequestWith(person.accessToken, new Date());
    return { person, result: await runSensitiveAction(definition, request, form), cookiesSet };
  }

  test('a handler that hands out a new session on the access token alone is refused, and the browser gets nothing', async (t) => {
    const logged = t.mock.method(console, 'error', () => undefined);
    const careless = defineSensitiveAction({
      schema: NOTHING,
      async handler(_input, { user, cookies, now }) {
        const fresh = await createSession(user.id, meta, now);
        (await issueSessionCookies({ user, sessionId: fresh.session.id, refreshToken: fresh.refreshToken }, now)).writeTo(cookies);
        return { status: 'success', message: 'issued' };
      },
    });
    const { result, cookiesSet } = await run(careless);
    assert.equal(result.status === 'error' && result.code, 'unexpected');
    assert.deepEqual(sessionCookiesIn(cookiesSet), []);
    assert.match(String(logged.mock.calls[0]?.arguments[1]), /SessionCookiesRefused/);
  });

  test('a proof of a password typed in another session, or a look-alike proof, opens nothing', async (t) => {
    t.mock.method(console, 'error', () => undefined);
    const other = await signedInUser();
    const elsewhere = await checkPasswordInSession({ userId: other.user.id, sessionId: other.session.id }, PASSWORD);
    assert.ok(elsewhere.ok);
    for (const proofFor of [
      () => elsewhere.typed,
      (person: Victim) => ({ userId: person.user.id, sessionId: person.session.id }),
    ]) {
      let person: Victim | undefined;
      const sly = defineSensitiveAction({
        schema: NOTHING,
        async handler(_input, context) {
          allowSessionCookies(context, proofFor(person!));
          (await issueSessionCookies({ user: context.user, sessionId: context.session.id }, context.now)).writeTo(context.cookies);
          return { status: 'success', message: 'issued' };
        },
      });
      person = await signedInUser();
      const { request, cookiesSet } = sensitiveRequestWith(person.accessToken, new Date());
      const result = await runSensitiveAction(sly, request, formData({}));
      assert.equal(result.status === 'error' && result.code, 'unexpected');
      assert.deepEqual(sessionCookiesIn(cookiesSet), []);
    }
  });

  test('a handler that first checks the password typed in the request may issue cookies; a wrong password opens nothing', async (t) => {
    t.mock.method(console, 'error', () => undefined);
    const checked = defineSensitiveAction({
      schema: NOTHING,
      async handler(input, context) {
        const refused = await refuseWrongPasswordEntry(context, input.password ?? '', { field: 'password', formMessage: 'wrong', fieldMessage: 'wrong' });
        if (refused) {
          // Even a handler that ignores the refusal cannot issue.
          (await issueSessionCookies({ user: context.user, sessionId: context.session.id }, context.now)).writeTo(context.cookies);
          return refused;
        }
        (await issueSessionCookies({ user: context.user, sessionId: context.session.id }, context.now)).writeTo(context.cookies);
        return { status: 'success', message: 'issued' };
      },
    });
    const right = await run(checked, formData({ password: PASSWORD }));
    assert.equal(right.result.status, 'success');
    assert.deepEqual(sessionCookiesIn(right.cookiesSet), [names.access]);
    const wrong = await run(checked, formData({ password: 'not the password' }));
    assert.equal(wrong.result.status === 'error' && wrong.result.code, 'unexpected');
    assert.deepEqual(sessionCookiesIn(wrong.cookiesSet), []);
  });
});
