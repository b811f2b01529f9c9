/** `npm run db:prune`: deletes ended sessions, used refresh tokens and old rate-limit rows. */
import nextEnv from '@next/env';
import { db } from '../lib/db/client';
import { pruneExpiredRecords } from '../lib/db/housekeeping';

nextEnv.loadEnvConfig(process.cwd());
const removed = await pruneExpiredRecords();
console.log(
  `Pruned ${removed.sessions} sessions, ${removed.refreshTokens} refresh tokens, ${removed.loginAttempts} login attempts.`,
);
await db().$disconnect();
