/**
 * Start-up check for the Node.js server (see instrumentation.ts): refuse to start on bad configuration,
 * with a one-line reason, instead of failing on the first sign-in.
 */
import { ConfigError, getConfig } from './config';

export function assertConfigurationOrExit(): void {
  try {
    getConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Refusing to start: ${error.message}`);
    process.exit(1);
  }
}
