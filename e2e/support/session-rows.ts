/**
 * Prints an account's sessions as JSON, read straight from the database named by DATABASE_URL (only
 * ever under e2e/.tmp/): `session-rows.ts <email>`. For the DBSC browser test, which checks what the
 * browser's registration did to the row: its binding tier, and that no refresh token is left usable.
 */
import { db } from '../../lib/db/client';

const [email] = process.argv.slice(2);
const url = process.env.DATABASE_URL ?? '';
if (!url.includes('e2e/.tmp/')) throw new Error(`Refusing to read sessions outside e2e/.tmp: ${url}`);
const sessions = await db().session.findMany({
  where: { user: { email } },
  select: {
    id: true,
    bindingKind: true,
    dbscSessionId: true,
    revokedAt: true,
    revokedReason: true,
    refreshTokens: { where: { rotatedAt: null, revokedAt: null }, select: { id: true } },
  },
});
process.stdout.write(
  JSON.stringify(
    sessions.map(({ refreshTokens, dbscSessionId, ...row }) => ({ ...row, dbscBound: dbscSessionId !== null, usableRefreshTokens: refreshTokens.length })),
  ),
);
await db().$disconnect();
