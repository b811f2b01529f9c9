/**
 * Gives an account more live sessions than a sign-in could: `add-sessions.ts <email> <count>` writes
 * them straight into the database named by DATABASE_URL (only ever under e2e/.tmp/), as an account
 * from before MAX_SESSIONS_PER_USER existed, or on a deployment that raised it, would hold them.
 * Each is a session as `createSession` writes it, with a browser's user agent.
 */
import { db } from '../../lib/db/client';
import { createSession } from '../../lib/session/session-store';

const [email, countText] = process.argv.slice(2);
const url = process.env.DATABASE_URL ?? '';
if (!url.includes('e2e/.tmp/')) throw new Error(`Refusing to write sessions outside e2e/.tmp: ${url}`);
const user = await db().user.findUniqueOrThrow({ where: { email }, select: { id: true } });
const started = Date.now();
for (let i = 0; i < Number(countText); i++) {
  const meta = { ipAddress: `198.51.100.${(i % 250) + 1}`, userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' };
  await createSession(user.id, meta, new Date(started - (i + 1) * 1000));
}
await db().$disconnect();
