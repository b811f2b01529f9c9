/**
 * A flood of sign-ins must not queue unbounded Argon2 work. With the hashing queue
 * held full (by jobs this test controls, so "full" is exact and nothing depends on timing), sign-in,
 * sign-up and password checks inside a session are refused at once with a typed "busy" answer, count
 * no attempt and store nothing, while the stateless read path needs no hashing at all.
 */
// database: sqlite-only — the hashing queue is in process memory; a refused request writes nothing on either database
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
// Small numbers so the test can hold every place; set before anything reads the configuration.
process.env.PASSWORD_HASH_CONCURRENCY = '2';
process.env.PASSWORD_HASH_QUEUE = '2';
import { useTestDatabase } from '../helpers/database';
import { createUser, formData, meta, PASSWORD, recordingJar, signedInUser } from '../helpers/fixtures';
import { signIn } from '../../lib/auth/sign-in';
import { signUp } from '../../lib/auth/sign-up';
import { apiRequest, setCookies } from '../helpers/http';
import { db } from '../../lib/db/client';
import { verifySession } from '../../lib/dal';
import { cookieNames } from '../../lib/tokens/cookies';
import { PasswordHasherBusy, passwordHashingQueue, verifyPassword } from '../../lib/auth/password-hashing';
import { SERVER_BUSY } from '../../lib/auth/hasher-busy';
import { confirmPasswordDefinition } from '../../lib/sensitive-actions/confirm-password-action';
import { changePasswordDefinition } from '../../lib/sensitive-actions/change-password-action';
import { runSensitiveAction, type SensitiveRequest } from '../../lib/sensitive-actions/checked-action';
import { POST as login } from '../../app/api/auth/login/route';
import { POST as signup } from '../../app/api/auth/signup/route';

useTestDatabase();

/** Takes every running slot and every waiting place; `release()` lets them all finish. */
function holdEveryHashingPlace() {
  const queue = passwordHashingQueue();
  const { concurrency, queueLimit } = queue.stats();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held = Array.from({ length: concurrency + queueLimit }, () => queue.run(() => gate));
  assert.deepEqual(queue.stats(), { running: concurrency, waiting: queueLimit, concurrency, queueLimit });
  return {
    async release() {
      release();
      await Promise.all(held);
    },
  };
}

/** Rows a refused request must not add: attempt reservations, events, accounts, sessions. */
async function rowCounts() {
  const [attempts, events, users, sessions] = await Promise.all([
    db().rateLimitAttempt.count(),
    db().securityEvent.count(),
    db().user.count(),
    db().session.count(),
  ]);
  return { attempts, events, users, sessions };
}

function sensitiveRequest(accessToken: string): { request: SensitiveRequest; cookiesSet: Map<string, unknown> } {
  const recording = recordingJar();
  return {
    request: {
      headers: new Headers({ origin: 'http://localhost:3000', host: 'localhost:3000' }),
      accessToken,
      mayRenew: true,
      cookies: recording.jar,
      now: new Date(),
    },
    cookiesSet: recording.set,
  };
}

after(() => assert.deepEqual(passwordHashingQueue().stats(), { running: 0, waiting: 0, concurrency: 2, queueLimit: 2 }));

describe('password hashing under a sign-in flood', () => {
  test('sign-in flood: with the hashing queue full, sign-in gets 503 with Retry-After at once, counts no attempt, and works again after', async () => {
    const user = await createUser();
    const request = () => apiRequest('/api/auth/login', { body: { email: user.email, password: PASSWORD } });
    const before = await rowCounts();

    const flood = holdEveryHashingPlace();
    try {
      const refused = await login(request());
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '1');
      assert.deepEqual(await refused.json(), { error: SERVER_BUSY });
      assert.equal(setCookies(refused).size, 0, 'no session cookie');
      assert.deepEqual(await rowCounts(), before, 'busy is not a failed attempt: nothing counted toward a lock, nothing stored');
    } finally {
      await flood.release();
    }
    const accepted = await login(request());
    assert.equal(accepted.status, 200, 'the slots came back: the same sign-in now succeeds');
  });

  test('sign-in flood with unknown emails: refused the same way as for a real account (no enumeration through 503)', async () => {
    const flood = holdEveryHashingPlace();
    try {
      const unknown = await login(apiRequest('/api/auth/login', { body: { email: `nobody-${randomUUID()}@example.com`, password: 'x' } }));
      assert.equal(unknown.status, 503);
      assert.equal(unknown.headers.get('retry-after'), '1');
    } finally {
      await flood.release();
    }
  });

  test('sign-up flood: with the hashing queue full, sign-up gets 503 with Retry-After, and no account or attempt is stored', async () => {
    const email = `flood-${randomUUID()}@example.com`;
    const before = await rowCounts();
    const flood = holdEveryHashingPlace();
    try {
      const refused = await signup(apiRequest('/api/auth/signup', { body: { email, password: 'a long enough password' } }));
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '1');
      assert.deepEqual(await rowCounts(), before);
    } finally {
      await flood.release();
    }
    const accepted = await signup(apiRequest('/api/auth/signup', { body: { email, password: 'a long enough password' } }));
    assert.equal(accepted.status, 201);
  });

  // The route handlers refuse before any work when the queue is already full; these drive the layer
  // below, where the queue fills between the rate-limit reservation and the hash (the race that is left).
  test('sign-in flood racing the queue: a sign-in refused as busy after its reservations gives them back', async () => {
    const user = await createUser();
    const before = await rowCounts();
    const flood = holdEveryHashingPlace();
    try {
      await assert.rejects(signIn(user.email, PASSWORD, meta), PasswordHasherBusy);
      await assert.rejects(signIn(`nobody-${randomUUID()}@example.com`, PASSWORD, meta), PasswordHasherBusy);
      assert.deepEqual(await rowCounts(), before, 'neither the email nor the IP is charged an attempt');
    } finally {
      await flood.release();
    }
  });

  test('sign-up flood racing the queue: a sign-up refused as busy gives back its IP reservation', async () => {
    const before = await rowCounts();
    const flood = holdEveryHashingPlace();
    try {
      await assert.rejects(signUp(`flood-${randomUUID()}@example.com`, 'a long enough password', meta), PasswordHasherBusy);
      assert.deepEqual(await rowCounts(), before);
    } finally {
      await flood.release();
    }
  });

  test('sign-in flood: the stateless read (/api/me, dashboard) needs no hashing slot and still answers', async () => {
    const alice = await signedInUser();
    const flood = holdEveryHashingPlace();
    try {
      const me = apiRequest('/api/me', { method: 'GET', cookies: { [cookieNames().access]: alice.accessToken } });
      const claims = await verifySession({ cookies: me.cookies });
      assert.equal(claims?.userId, alice.user.id);
    } finally {
      await flood.release();
    }
  });

  test('hashing flood with real Argon2: of 20 simultaneous verifications, 2 run, 2 wait, 16 are refused at once; none is lost', async () => {
    const hash = (await createUser()).passwordHash;
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => verifyPassword(hash, PASSWORD)));
    const verified = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o) => o.status === 'rejected');
    assert.equal(verified.length, 4);
    assert.ok(verified.every((o) => o.value === true), 'the accepted ones really verified');
    assert.equal(refused.length, 16);
    assert.ok(refused.every((o) => o.reason instanceof PasswordHasherBusy), 'busy is a typed refusal, never "wrong password"');
    assert.deepEqual(passwordHashingQueue().stats(), { running: 0, waiting: 0, concurrency: 2, queueLimit: 2 });
  });

  test('step-up under a hashing flood: a typed "busy" result, the session is not replaced, no attempt counted', async () => {
    const alice = await signedInUser();
    const before = await rowCounts();
    const flood = holdEveryHashingPlace();
    try {
      const { request, cookiesSet } = sensitiveRequest(alice.accessToken);
      const result = await runSensitiveAction(confirmPasswordDefinition, request, formData({ password: PASSWORD }));
      assert.ok(result.status === 'error');
      assert.equal(result.code, 'busy');
      assert.match(result.message, /try again in a moment/i);
      assert.equal(cookiesSet.size, 0);
      assert.deepEqual(await rowCounts(), before);
    } finally {
      await flood.release();
    }
  });

  test('password change under a hashing flood: a typed "busy" result and the password is unchanged', async () => {
    const alice = await signedInUser();
    const flood = holdEveryHashingPlace();
    try {
      const { request } = sensitiveRequest(alice.accessToken);
      const result = await runSensitiveAction(
        changePasswordDefinition,
        request,
        formData({ currentPassword: PASSWORD, newPassword: 'a new long passphrase', confirmPassword: 'a new long passphrase' }),
      );
      assert.ok(result.status === 'error');
      assert.equal(result.code, 'busy');
    } finally {
      await flood.release();
    }
    const after = await db().user.findUniqueOrThrow({ where: { id: alice.user.id } });
    assert.equal(after.passwordHash, alice.user.passwordHash);
  });
});

describe('PASSWORD_HASH_CONCURRENCY and PASSWORD_HASH_QUEUE', () => {
  test('default to 2 running and 16 waiting, and refuse nonsense with a one-line reason', async () => {
    const { ConfigError, getPasswordHashLimits } = await import('../../lib/config/config');
    assert.deepEqual(getPasswordHashLimits({}), { PASSWORD_HASH_CONCURRENCY: 2, PASSWORD_HASH_QUEUE: 16 });
    assert.deepEqual(getPasswordHashLimits({ PASSWORD_HASH_CONCURRENCY: '4', PASSWORD_HASH_QUEUE: '0' }), {
      PASSWORD_HASH_CONCURRENCY: 4,
      PASSWORD_HASH_QUEUE: 0,
    });
    assert.throws(() => getPasswordHashLimits({ PASSWORD_HASH_CONCURRENCY: '0' }), ConfigError);
    assert.throws(() => getPasswordHashLimits({ PASSWORD_HASH_QUEUE: '-1' }), /PASSWORD_HASH_QUEUE/);
  });
});
