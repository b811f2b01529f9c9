/**
 * A device for people: "Chrome 131 on Linux" from the user agent stored with a session or a security
 * event (lib/request/request-meta.ts keeps its first 256 characters). Parsed with bowser (MIT), a
 * maintained library, rather than hand-written patterns that rot with every browser release.
 *
 * A user agent is whatever the client sent: it helps a person recognise their own devices, it proves
 * nothing. Pages show it as text (React escapes it), never as markup.
 */
import Bowser from 'bowser';

export const UNKNOWN_DEVICE = 'Unknown device';

export function describeDevice(userAgent: string | null | undefined): string {
  if (!userAgent?.trim()) return UNKNOWN_DEVICE;
  const { browser, os, platform } = Bowser.parse(userAgent);
  const browserName = browser.name ? [browser.name, majorVersion(browser.version)].filter(Boolean).join(' ') : null;
  const osName = os.name ? [os.name, os.versionName].filter(Boolean).join(' ') : null;
  const model = platform.model ? ` (${platform.model})` : '';
  if (browserName && osName) return `${browserName} on ${osName}${model}`;
  if (browserName || osName) return `${browserName ?? osName}${model}`;
  return UNKNOWN_DEVICE;
}

function majorVersion(version: string | undefined): string | undefined {
  return version?.split('.')[0] || undefined;
}
