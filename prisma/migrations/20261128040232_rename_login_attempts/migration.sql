-- LoginAttempt also counts unknown-recipient payments, per-IP and per-session attempts: it is renamed
-- to RateLimitAttempt. Edited by hand from the generated drop-and-create (the schema engine does not
-- detect renames) to a real rename, so a deploy keeps the current counts and lifts no lock early.

-- RenameTable
ALTER TABLE "LoginAttempt" RENAME TO "RateLimitAttempt";

-- RenameIndex (SQLite has no ALTER INDEX ... RENAME: drop and recreate under Prisma's name)
DROP INDEX "LoginAttempt_key_createdAt_idx";
CREATE INDEX "RateLimitAttempt_key_createdAt_idx" ON "RateLimitAttempt"("key", "createdAt");

-- CreateIndex
CREATE INDEX "RateLimitAttempt_createdAt_idx" ON "RateLimitAttempt"("createdAt");
