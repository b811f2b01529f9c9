/** Small builders for integration tests: users, signed-in sessions, form data. */
import { randomUUID } from 'node:crypto';
import { db } from '../../lib/db/client';
import { hashPassword } from '../../lib/auth/password-hashing';
import { createSession } from '../../lib/session/session-store';
import { signAccessToken } from '../../lib/tokens/access-token';
import { keyBindingColumns } from '../../lib/session/binding-columns';
import { refuseStatements } from './database-faults';
import { BindingClient } from './binding-client';
import { ACTION_PROOF_PATH, KEY_PROOF_FIELD } from '../../lib/binding/action-proof';

export const PASSWORD = 'a test password that is long enough';

let cachedHash: Promise<string> | undefined;

/** A user with PASSWORD (hashed once per file: Argon2 is deliberately slow). */
export async function createUser(overrides: { id?: string; email?: string; balanceCents?: number } = {}) {
  cachedHash ??= hashPassword(PASSWORD);
  return db().user.create({
    data: {
      ...(overrides.id === undefined ? {} : { id: overrides.id }),
      email: overrides.email ?? `user-${randomUUID()}@example.com`,
      passwordHash: await cachedHash,
      balanceCents: overrides.balanceCents ?? 100_000,
    },
  });
}

const NO_META = { ipAddress: '127.0.0.1', userAgent: 'node:test' };

/**
 * A user signed in at `now`: session row, refresh token and a signed access token. `bound: true` signs in
 * as the sign-in form does in a browser with WebCrypto: the session is bound to a key of its own
 * (`key_proof`, tests/helpers/binding-client.ts), held by `client`, and `actionForm` sends a checked
 * action's fields as that page does, with the key's proof (lib/binding/action-proof.ts). Unbound (the
 * default) is an API sign-in, which UNBOUND_SESSION_POLICY=step-up asks for the password with every
 * payment and sign-out of other sessions; its `actionForm` is the bare form.
 */
export async function signedInUser(now = new Date(), overrides: { balanceCents?: number; bound?: boolean } = {}) {
  const user = await createUser({ balanceCents: overrides.balanceCents });
  const client = overrides.bound ? await BindingClient.generate() : undefined;
  const binding = client ? keyBindingColumns(await keyOf(client), now) : undefined;
  const { session, refreshToken } = await createSession(user.id, NO_META, now, db(), binding);
  const access = await signAccessToken({ userId: user.id, email: user.email, sessionId: session.id }, now);
  const actionForm = async (values: Record<string, string>, at = now) => (client ? keyProvenForm(client, values, at) : formData(values));
  return { user, session, refreshToken: refreshToken.token, accessToken: access.token, client, actionForm };
}

/** A key's public half and its thumbprint, as the sign-in page proves them. */
async function keyOf(client: BindingClient) {
  return { publicKey: client.publicJwk, thumbprint: await client.thumbprint() };
}

/** The columns of a session bound at `now` to a fresh key of its own, for `createSession`'s `binding`. */
export async function newKeyBinding(now: Date) {
  return keyBindingColumns(await keyOf(await BindingClient.generate()), now);
}

/** The origin `sensitiveRequestWith` sends from; a page's action proof names it. */
export const TEST_ORIGIN = 'http://localhost:3000';

/** A checked action's form as a page holding `client`'s key sends it at `now`: the fields and the key's proof. */
export async function keyProvenForm(client: BindingClient, values: Record<string, string>, now = new Date()): Promise<FormData> {
  const proof = await client.keyProof({ method: 'POST', url: `${TEST_ORIGIN}${ACTION_PROOF_PATH}`, now });
  return formData({ ...values, [KEY_PROOF_FIELD]: proof });
}

export function formData(values: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(values)) data.set(key, value);
  return data;
}

/** A cookie jar that records what a handler set, as Next's would. */
export function recordingJar() {
  const set = new Map<string, { value: string; maxAge: number }>();
  return {
    set,
    jar: {
      set(name: string, value: string, options: { maxAge: number }) {
        set.set(name, { value, maxAge: options.maxAge });
      },
    },
  };
}

export const meta = NO_META;

export function secondsLater(base: Date, seconds: number): Date {
  return new Date(base.getTime() + seconds * 1000);
}

/**
 * What a sensitive server action reads from a same-origin request carrying `accessToken` at `now`
 * (lib/sensitive-actions/checked-action.ts `SensitiveRequest`), with a cookie jar that records what
 * the action sets.
 */
export function sensitiveRequestWith(accessToken: string, now: Date) {
  const recording = recordingJar();
  const request = {
    headers: new Headers({ origin: TEST_ORIGIN, host: new URL(TEST_ORIGIN).host }),
    accessToken,
    mayRenew: true,
    cookies: recording.jar,
    now,
  };
  return { request, cookiesSet: recording.set };
}

/**
 * Makes every insert of one event type fail inside the database, as a full disk or a broken audit table
 * would. Returns the undo.
 */
export function failEventInserts(type: string): Promise<() => Promise<void>> {
  return refuseStatements({
    table: 'SecurityEvent',
    operation: 'INSERT',
    when: `NEW."type" = '${type}'`,
    message: 'injected: the security log cannot be written',
  });
}
