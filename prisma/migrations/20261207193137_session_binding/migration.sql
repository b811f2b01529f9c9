-- CreateTable
CREATE TABLE "BindingChallenge" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "challenge" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    CONSTRAINT "BindingChallenge_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "lastActiveAt" DATETIME NOT NULL,
    "authenticatedAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "revokedReason" TEXT,
    "userAgent" TEXT,
    "ipAddress" TEXT,
    "bindingKind" TEXT NOT NULL DEFAULT 'none',
    "bindingPublicKey" TEXT,
    "bindingThumbprint" TEXT,
    "boundAt" DATETIME,
    "dbscSessionId" TEXT,
    "keyProofNonce" TEXT,
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Session" ("authenticatedAt", "createdAt", "expiresAt", "id", "ipAddress", "lastActiveAt", "revokedAt", "revokedReason", "userAgent", "userId") SELECT "authenticatedAt", "createdAt", "expiresAt", "id", "ipAddress", "lastActiveAt", "revokedAt", "revokedReason", "userAgent", "userId" FROM "Session";
DROP TABLE "Session";
ALTER TABLE "new_Session" RENAME TO "Session";
CREATE UNIQUE INDEX "Session_dbscSessionId_key" ON "Session"("dbscSessionId");
CREATE INDEX "Session_userId_idx" ON "Session"("userId");
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");
CREATE INDEX "Session_revokedAt_idx" ON "Session"("revokedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "BindingChallenge_challenge_key" ON "BindingChallenge"("challenge");

-- CreateIndex
CREATE INDEX "BindingChallenge_sessionId_createdAt_idx" ON "BindingChallenge"("sessionId", "createdAt");

-- CreateIndex
CREATE INDEX "BindingChallenge_expiresAt_idx" ON "BindingChallenge"("expiresAt");
