/** Small builders for integration tests: users, signed-in sessions, form data. */
import { randomUUID } from 'node:crypto';
import { db } from '../../lib/db/client';
import { hashPassword } from '../../lib/auth/password-hashing';
import { createSession } from '../../lib/session/session-store';
import { signAccessToken } from '../../lib/tokens/access-token';
import { keyBindingColumns } from '../../lib/session/binding-columns';
import { refuseStatements } from './database-faults';
import { BindingClient } from './binding-client';

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
 * (`key_proof`, tests/helpers/binding-client.ts). Unbound (the default) is an API sign-in, which
 * UNBOUND_SESSION_POLICY=step-up asks for the password with every payment and sign-out of other sessions.
 */
export async function signedInUser(now = new Date(), overrides: { balanceCents?: number; bound?: boolean } = {}) {
  const user = await createUser({ balanceCents: overrides.balanceCents });
  const binding = overrides.bound ? await newKeyBinding(now) : undefined;
  const { session, refreshToken } = await createSession(user.id, NO_META, now, db(), binding);
  const access = await signAccessToken({ userId: user.id, email: user.email, sessionId: session.id }, now);
  return { user, session, refreshToken: refreshToken.token, accessToken: access.token };
}

/** A fresh key, as the sign-in page makes one: the public half and its thumbprint. */
async function bindingKey() {
  const client = await BindingClient.generate();
  return { publicKey: client.publicJwk, thumbprint: await client.thumbprint() };
}

/** The columns of a session bound at `now` to a fresh key of its own, for `createSession`'s `binding`. */
export async function newKeyBinding(now: Date) {
  return keyBindingColumns(await bindingKey(), now);
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
    headers: new Headers({ origin: 'http://localhost:3000', host: 'localhost:3000' }),
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
