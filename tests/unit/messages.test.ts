/** Messages that say how long a limit lasts, in words ("try again later" said nothing). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tooManyAttempts, tryAgainIn } from '../../lib/forms/messages';

describe('tryAgainIn', () => {
  const cases: Array<[number, string]> = [
    [1, 'Try again in 1 second.'],
    [0, 'Try again in 1 second.'],
    [45, 'Try again in 45 seconds.'],
    [60, 'Try again in 1 minute.'],
    [61, 'Try again in 2 minutes.'], // rounded up: never shorter than the real wait
    [900, 'Try again in 15 minutes.'],
  ];
  for (const [seconds, text] of cases) {
    test(`${seconds} s -> ${text}`, () => assert.equal(tryAgainIn(seconds), text));
  }
  test('the sign-in limit names the wait', () => {
    assert.equal(tooManyAttempts(840), 'Too many failed attempts. Try again in 14 minutes.');
  });
});
