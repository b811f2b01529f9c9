-- CreateTable
CREATE TABLE "LabRefreshCopy" (
    "userId" TEXT NOT NULL PRIMARY KEY,
    "ownerSessionId" TEXT NOT NULL,
    "demoSessionId" TEXT NOT NULL,
    "sealedRefreshToken" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "LabRefreshCopy_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "LabRefreshCopy_demoSessionId_fkey" FOREIGN KEY ("demoSessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "LabRefreshCopy_demoSessionId_key" ON "LabRefreshCopy"("demoSessionId");
