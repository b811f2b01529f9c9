/** lib/format/device.ts: the device people see on /sessions and /activity, from a stored user agent. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeDevice, UNKNOWN_DEVICE } from '../../lib/format/device';

describe('describeDevice', () => {
  test('names browser (major version), operating system and phone model', () => {
    const cases: Array<[string, string]> = [
      ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36', 'Chrome 131 on Linux'],
      ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox 133 on Windows 10'],
      [
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
        'Safari 17 on iOS (iPhone)',
      ],
    ];
    for (const [userAgent, expected] of cases) assert.equal(describeDevice(userAgent), expected);
  });

  test('a missing, empty or meaningless user agent reads as an unknown device, never throws', () => {
    for (const userAgent of [null, undefined, '', '   ', 'node:test']) assert.equal(describeDevice(userAgent), UNKNOWN_DEVICE);
  });
});
