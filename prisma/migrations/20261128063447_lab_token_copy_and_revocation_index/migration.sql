-- CreateTable
CREATE TABLE "LabTokenCopy" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "ownerSessionId" TEXT NOT NULL,
    "copiedSessionId" TEXT NOT NULL,
    "sealedToken" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "tokenExpiresAt" DATETIME NOT NULL,
    "keepUntil" DATETIME NOT NULL,
    CONSTRAINT "LabTokenCopy_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "LabTokenCopy_userId_key" ON "LabTokenCopy"("userId");

-- CreateIndex
CREATE INDEX "LabTokenCopy_keepUntil_idx" ON "LabTokenCopy"("keepUntil");

-- CreateIndex
CREATE INDEX "Session_revokedAt_idx" ON "Session"("revokedAt");
