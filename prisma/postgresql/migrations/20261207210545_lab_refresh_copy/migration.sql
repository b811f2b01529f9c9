-- CreateTable
CREATE TABLE "LabRefreshCopy" (
    "userId" TEXT NOT NULL,
    "ownerSessionId" TEXT NOT NULL,
    "demoSessionId" TEXT NOT NULL,
    "sealedRefreshToken" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LabRefreshCopy_pkey" PRIMARY KEY ("userId")
);

-- CreateIndex
CREATE UNIQUE INDEX "LabRefreshCopy_demoSessionId_key" ON "LabRefreshCopy"("demoSessionId");

-- AddForeignKey
ALTER TABLE "LabRefreshCopy" ADD CONSTRAINT "LabRefreshCopy_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LabRefreshCopy" ADD CONSTRAINT "LabRefreshCopy_demoSessionId_fkey" FOREIGN KEY ("demoSessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;
