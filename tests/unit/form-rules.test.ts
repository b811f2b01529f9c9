/**
 * The zod-free field rules the browser runs before sending (lib/forms/email-rules.ts, password-rules.ts,
 * lib/format/money.ts) against the server's schemas built from them: for any input, the browser's
 * message is the server's message, so a form never shows one thing and the server say another.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AMOUNT_MESSAGES, amountProblem } from '../../lib/format/money';
import { EMAIL_MESSAGES, emailProblem, normaliseEmail } from '../../lib/forms/email-rules';
import { newPasswordProblem, passwordProblem } from '../../lib/forms/password-rules';
import { emailField, loginSchema, signupSchema } from '../../lib/forms/validation';
import { amountField } from '../../lib/payments/money';

function serverMessage(result: { success: boolean; error?: { issues: Array<{ message: string }> } }): string | null {
  return result.success ? null : (result.error?.issues[0]?.message ?? null);
}

const amountLike = fc.oneof(
  fc.string(),
  fc.stringMatching(/^[-+\u2212 ]?\d{0,12}(\.\d{0,3})?$/),
  fc.constantFrom('0', '-5', '−5', '- 5', '12.50', '500.00', '500.01', '99999999999999999999', '1,000', '$5', '1e3', ' 7 '),
);
const emailLike = fc.oneof(
  fc.string(),
  fc.emailAddress(),
  fc.constantFrom('jürgen@exämple.com', 'alice@example.com', ' Bob@Example.COM ', 'a@b', 'x'.repeat(10_000), `${'a'.repeat(250)}@b.co`),
);

describe('the browser and the server give the same answer', () => {
  test('amounts', () => {
    fc.assert(fc.property(amountLike, (text) => assert.equal(amountProblem(text), serverMessage(amountField.safeParse(text)))));
  });

  test('email addresses', () => {
    fc.assert(
      fc.property(emailLike, (text) => assert.equal(emailProblem(normaliseEmail(text)), serverMessage(emailField.safeParse(text)))),
    );
  });

  test('passwords, to sign in and to choose one', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.constant('p'.repeat(10_000))), (password) => {
        const login = loginSchema.safeParse({ email: 'a@example.com', password });
        const signup = signupSchema.safeParse({ email: 'a@example.com', password });
        assert.equal(passwordProblem(password), serverMessage(login));
        assert.equal(newPasswordProblem(password), serverMessage(signup));
      }),
    );
  });
});

describe('what the messages say', () => {
  test('a minus sign or zero is "more than $0.00", not a format hint', () => {
    for (const text of ['-5', '-0.50', '0', '0.00', '−5']) assert.equal(amountProblem(text), AMOUNT_MESSAGES.notPositive, text);
  });

  test('an amount with twenty digits is over the limit', () => {
    assert.equal(amountProblem('99999999999999999999'), 'The most you can send in one payment is $500.00.');
  });

  test('an address with accented letters is told what is accepted', () => {
    assert.equal(emailProblem(normaliseEmail('jürgen@exämple.com')), EMAIL_MESSAGES.notAscii);
    assert.match(EMAIL_MESSAGES.notAscii, /only ASCII letters/);
  });

  test('a 10,000-character address is too long, once', () => {
    assert.deepEqual(
      emailField.safeParse(`${'x'.repeat(10_000)}@example.com`).error?.issues.map((i) => i.message),
      [EMAIL_MESSAGES.tooLong],
    );
  });
});
