/**
 * ASVS v5 chapter 2 (validation and business logic) and 1.2 / 13.x (configuration): property-based
 * fuzzing with fast-check of every zod schema (lib/forms/validation.ts, lib/payments/money.ts `amountField`,
 * lib/payments/send-payment.ts `paymentSchema`, lib/config/config.ts), and of the JSON route
 * handlers that use them. Properties: parsing never throws; what is accepted obeys the rule the
 * schema states (written out again here, independently); amounts round-trip through formatting; the
 * handlers never answer 5xx and never open a session for input that is not a valid sign-in.
 *
 * On a failure fast-check prints the seed and the shrunk counterexample (re-run with `{ seed, path }`).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { useTestDatabase } from '../helpers/database';
import { apiRequest, setCookies } from '../helpers/http';
import { db } from '../../lib/db/client';
import { confirmPasswordSchema, emailField, loginSchema, passwordChangeSchema, signupSchema } from '../../lib/forms/validation';
import { amountField, formatCents, PAYMENT_MAX_CENTS } from '../../lib/payments/money';
import { paymentSchema } from '../../lib/payments/send-payment';
import { ConfigError, parseConfig } from '../../lib/config/config';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../lib/forms/password-rules';
import { POST as login } from '../../app/api/auth/login/route';
import { POST as signup } from '../../app/api/auth/signup/route';

useTestDatabase();

/** Addresses zod's email check accepts (fc.emailAddress() mostly makes RFC 5322 ones with # or ~, which it refuses). */
const plainEmail = fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,20}@[a-z0-9]{1,12}\.[a-z]{2,6}$/).filter((e) => !/\.\.|\.@|[.+-]@/.test(e));

/** Anything a JSON body or a form could carry, biased towards the fields the schemas read. */
const fieldValue = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 140 }) },
  { weight: 2, arbitrary: fc.emailAddress() },
  { weight: 2, arbitrary: plainEmail },
  { weight: 1, arbitrary: fc.stringMatching(/^ ?\d{0,10}([.,]\d{0,3})? ?$/) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.anything() },
);
const FIELDS = ['email', 'password', 'currentPassword', 'newPassword', 'confirmPassword', 'recipient', 'amount', 'idempotencyKey'];
const formLike = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), fieldValue),
  fc.anything(),
);

/** An address as the emailField stores it: trimmed, lower case, one @, a dot in the domain, no spaces. */
const looksLikeStoredEmail = (value: string) =>
  value === value.trim().toLowerCase() && value.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);

describe('every zod schema (ASVS 2.2.1): never throws, never accepts what its rule refuses', () => {
  test('loginSchema: a stored-form email and a password of 1 to 128 characters, nothing else', () => {
    fc.assert(
      fc.property(formLike, (input) => {
        const result = loginSchema.safeParse(input);
        if (!result.success) return;
        assert.ok(looksLikeStoredEmail(result.data.email), result.data.email);
        assert.ok(result.data.password.length >= 1 && result.data.password.length <= PASSWORD_MAX_LENGTH);
        assert.deepEqual(Object.keys(result.data).sort(), ['email', 'password'], 'no unknown field passes through');
      }),
      { numRuns: 500 },
    );
  });

  test(`signupSchema: a new password of ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`, () => {
    fc.assert(
      fc.property(formLike, (input) => {
        const result = signupSchema.safeParse(input);
        if (!result.success) return;
        assert.ok(looksLikeStoredEmail(result.data.email));
        assert.ok(result.data.password.length >= PASSWORD_MIN_LENGTH && result.data.password.length <= PASSWORD_MAX_LENGTH);
      }),
      { numRuns: 500 },
    );
  });

  test('passwordChangeSchema: the new password is confirmed, differs from the current one, and follows the rules', () => {
    const sometimesMatching = fc.tuple(fc.string({ unit: 'binary', maxLength: 140 }), fc.string({ maxLength: 20 }), fc.boolean(), fc.boolean()).map(
      ([current, extra, confirmSame, newSame]) => ({
        currentPassword: current,
        newPassword: newSame ? current : current + extra,
        confirmPassword: confirmSame ? current + extra : extra,
      }),
    );
    fc.assert(
      fc.property(fc.oneof(formLike, sometimesMatching), (input) => {
        const result = passwordChangeSchema.safeParse(input);
        if (!result.success) return;
        const { currentPassword, newPassword, confirmPassword } = result.data;
        assert.equal(newPassword, confirmPassword);
        assert.notEqual(newPassword, currentPassword);
        assert.ok(newPassword.length >= PASSWORD_MIN_LENGTH && newPassword.length <= PASSWORD_MAX_LENGTH);
        assert.ok(currentPassword.length >= 1 && currentPassword.length <= PASSWORD_MAX_LENGTH);
      }),
      { numRuns: 500 },
    );
  });

  test('confirmPasswordSchema: a password of 1 to 128 characters', () => {
    fc.assert(
      fc.property(formLike, (input) => {
        const result = confirmPasswordSchema.safeParse(input);
        if (result.success) assert.ok(result.data.password.length >= 1 && result.data.password.length <= PASSWORD_MAX_LENGTH);
      }),
      { numRuns: 300 },
    );
  });

  test('paymentSchema: a stored-form recipient, whole cents from 1 to the limit, and a UUID idempotency key', () => {
    fc.assert(
      fc.property(formLike, (input) => {
        const result = paymentSchema.safeParse(input);
        if (!result.success) return;
        assert.ok(looksLikeStoredEmail(result.data.recipient));
        assert.ok(Number.isSafeInteger(result.data.amount) && result.data.amount >= 1 && result.data.amount <= PAYMENT_MAX_CENTS);
        assert.match(result.data.idempotencyKey, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
      }),
      { numRuns: 500 },
    );
  });

  test(`any password of ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, of any composition, is accepted exactly as typed (ASVS 6.2.5, 6.2.8, 6.2.9)`, () => {
    fc.assert(
      fc.property(plainEmail, fc.string({ unit: 'binary', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH }), (email, password) => {
        fc.pre(password.length >= PASSWORD_MIN_LENGTH && password.length <= PASSWORD_MAX_LENGTH); // length counts UTF-16 units
        // No composition rule, no trimming, no case change, no truncation: what is verified is what was typed.
        assert.deepEqual(signupSchema.safeParse({ email, password }), { success: true, data: { email, password } });
        assert.deepEqual(loginSchema.safeParse({ email, password }), { success: true, data: { email, password } });
        assert.deepEqual(confirmPasswordSchema.safeParse({ password }), { success: true, data: { password } });
      }),
      { numRuns: 300 },
    );
  });

  test('emailField: trimming and lower-casing are idempotent (one account per address, however typed)', () => {
    fc.assert(
      fc.property(fc.mixedCase(plainEmail), fc.stringMatching(/^[ \t]{0,3}$/), (email, pad) => {
        const once = emailField.safeParse(`${pad}${email}${pad}`);
        assert.ok(once.success, email);
        assert.equal(once.data, email.toLowerCase());
        assert.deepEqual(emailField.safeParse(once.data), { success: true, data: once.data });
      }),
      { numRuns: 300 },
    );
  });
});

describe('amounts (ASVS 2.2.1): integer cents, never a float, and a round trip through formatting', () => {
  test('every amount from 0.01 to the limit formats and parses back to the same cents', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: PAYMENT_MAX_CENTS }), (cents) => {
        // Shown as "$1,234.50"; typed back without the currency sign and separators, which the field refuses.
        const shown = formatCents(cents);
        assert.match(shown, /^\$\d{1,3}(,\d{3})*\.\d{2}$/);
        assert.equal(amountField.parse(shown.replace(/[$,]/g, '')), cents);
      }),
      { numRuns: 1000 },
    );
  });

  test('digits with at most two decimals parse to exactly the cents a person means, or are refused above the limit', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,9}$/), fc.option(fc.stringMatching(/^\d{1,2}$/), { nil: undefined }), (whole, fraction) => {
        const text = fraction === undefined ? whole : `${whole}.${fraction}`;
        // BigInt arithmetic: the exact value, independent of the code under test.
        const exact = BigInt(whole) * 100n + BigInt((fraction ?? '').padEnd(2, '0') || '0');
        const result = amountField.safeParse(text);
        if (exact >= 1n && exact <= BigInt(PAYMENT_MAX_CENTS)) assert.deepEqual(result, { success: true, data: Number(exact) });
        else assert.equal(result.success, false, `${text} accepted`);
      }),
      { numRuns: 1000 },
    );
  });

  test('anything accepted is plain digits with at most two decimals: no sign, exponent, comma, space inside or third decimal', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.stringMatching(/^[ +\-]?\d{0,4}[.,eE]?\d{0,4}$/), fc.double().map(String)), (text) => {
        const result = amountField.safeParse(text);
        if (result.success) assert.match(text.trim(), /^\d{1,9}(\.\d{1,2})?$/);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('configuration: a bad environment stops the server with one line, a good one parses as written', () => {
  const key = fc.tuple(fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/), fc.oneof({ weight: 3, arbitrary: fc.constant(32) }, { weight: 1, arbitrary: fc.integer({ min: 8, max: 64 }) })).map(
    ([kid, bytes]) => `${kid}:${randomBytes(bytes).toString('base64url')}`,
  );
  const junk = fc.oneof(fc.integer({ min: -10, max: 2_000_000 }).map(String), fc.string({ maxLength: 8 }), fc.constantFrom('1e3', '0x10', ' 60 ', '3.5', '-1'));
  // Mostly plausible values (so that valid environments occur and their invariants are checked), some junk.
  const seconds = (min: number, max: number) => fc.oneof({ weight: 4, arbitrary: fc.integer({ min, max }).map(String) }, { weight: 1, arbitrary: junk });
  const env = fc.record(
    {
      ACCESS_TOKEN_KEYS: fc.oneof({ weight: 4, arbitrary: fc.array(key, { minLength: 1, maxLength: 3 }).map((keys) => keys.join(',')) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }),
      ACCESS_TOKEN_TTL_SECONDS: seconds(1, 1_000),
      SESSION_IDLE_TIMEOUT_SECONDS: seconds(1, 200_000),
      SESSION_ABSOLUTE_TIMEOUT_SECONDS: seconds(1, 2_000_000),
      REFRESH_REUSE_GRACE_SECONDS: seconds(0, 70),
      REAUTH_MAX_AGE_SECONDS: seconds(1, 5_000),
      COOKIE_SECURE: fc.constantFrom('true', 'false', '1', '0', 'yes', 'TRUE', ''),
      TRUST_PROXY: fc.constantFrom('true', 'false', 'on', ''),
      APP_URL: fc.oneof({ weight: 3, arbitrary: fc.webUrl() }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }),
    },
    { requiredKeys: [] },
  );

  test('parseConfig either returns a configuration that keeps every invariant, or throws a one-line ConfigError', () => {
    let parsed = 0;
    fc.assert(
      fc.property(env, (vars) => {
        let config;
        try {
          config = parseConfig(vars);
        } catch (error) {
          assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
          assert.match(error.message, /^Invalid configuration: [^\n]+$/);
          return;
        }
        parsed += 1;
        assert.ok(config.ACCESS_TOKEN_TTL_SECONDS >= 1 && config.ACCESS_TOKEN_TTL_SECONDS <= 900, 'the premise: at most 15 minutes');
        assert.ok(config.ACCESS_TOKEN_TTL_SECONDS < config.SESSION_IDLE_TIMEOUT_SECONDS);
        assert.ok(config.SESSION_IDLE_TIMEOUT_SECONDS <= config.SESSION_ABSOLUTE_TIMEOUT_SECONDS);
        assert.ok(config.REFRESH_REUSE_GRACE_SECONDS >= 0 && config.REFRESH_REUSE_GRACE_SECONDS <= 60);
        assert.ok(config.ACCESS_TOKEN_KEYS.length >= 1);
        assert.ok(config.ACCESS_TOKEN_KEYS.every((k) => k.secret.length >= 32), 'every key at least 256 bits (RFC 7518 3.2)');
        assert.equal(new Set(config.ACCESS_TOKEN_KEYS.map((k) => k.kid)).size, config.ACCESS_TOKEN_KEYS.length, 'no kid twice');
        assert.equal(typeof config.COOKIE_SECURE, 'boolean');
        if (vars.COOKIE_SECURE === 'false' || vars.COOKIE_SECURE === '0') assert.equal(config.COOKIE_SECURE, false);
        else assert.equal(config.COOKIE_SECURE, true, 'Secure unless switched off explicitly');
      }),
      { numRuns: 500 },
    );
    assert.ok(parsed > 0, 'some generated environments are valid');
  });
});

describe('JSON route handlers under fuzzed bodies (ASVS 2.2.1, 16.5.1): never a 5xx, never a session for invalid input', () => {
  const body = fc.oneof(
    fc.record({ email: plainEmail, password: fc.string({ minLength: 12, maxLength: 40 }) }).map((v) => JSON.stringify(v)),
    fc.dictionary(fc.constantFrom('email', 'password'), fieldValue).map((v) => JSON.stringify(v)),
    fc.json(),
    fc.string({ unit: 'binary', maxLength: 200 }),
  );

  test('POST /api/auth/login: 400, 401, 413 or 415 (or 429 once limited), no cookie, no session row', async () => {
    const sessionsBefore = await db().session.count();
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain'), async (text, type) => {
        const response = await login(apiRequest('/api/auth/login', { body: text, headers: { 'content-type': type } }));
        assert.ok([400, 401, 413, 415, 429].includes(response.status), `status ${response.status} for ${text}`);
        assert.deepEqual([...setCookies(response).keys()], [], 'no cookie');
        const answer = await response.json();
        assert.equal(typeof answer.error, 'string');
        assert.doesNotMatch(JSON.stringify(answer), /at |\.ts:|prisma|Error:/i, 'no stack trace or internals');
      }),
      { numRuns: 40 },
    );
    assert.equal(await db().session.count(), sessionsBefore, 'no session was created');
  });

  test('POST /api/auth/signup: 201 only for a valid email and password; otherwise 400, 413 or 415; never a cookie', async () => {
    let created = 0;
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const response = await signup(apiRequest('/api/auth/signup', { body: text }));
        assert.ok([201, 400, 413, 415, 429].includes(response.status), `status ${response.status}`);
        assert.deepEqual([...setCookies(response).keys()], []);
        if (response.status === 201) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            assert.fail('201 for a body that is not JSON');
          }
          assert.ok(signupSchema.safeParse(parsed).success, `201 for ${text}`);
          created += 1;
        }
      }),
      { numRuns: 30 },
    );
    assert.ok(created > 0, 'the generator reaches valid signups too');
  });
});
