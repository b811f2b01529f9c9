-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "bindingKind" TEXT NOT NULL DEFAULT 'none',
ADD COLUMN     "bindingPublicKey" TEXT,
ADD COLUMN     "bindingThumbprint" TEXT,
ADD COLUMN     "boundAt" TIMESTAMP(3),
ADD COLUMN     "dbscSessionId" TEXT,
ADD COLUMN     "keyProofNonce" TEXT;

-- CreateTable
CREATE TABLE "BindingChallenge" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "challenge" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BindingChallenge_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "BindingChallenge_challenge_key" ON "BindingChallenge"("challenge");

-- CreateIndex
CREATE INDEX "BindingChallenge_sessionId_createdAt_idx" ON "BindingChallenge"("sessionId", "createdAt");

-- CreateIndex
CREATE INDEX "BindingChallenge_expiresAt_idx" ON "BindingChallenge"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Session_dbscSessionId_key" ON "Session"("dbscSessionId");

-- AddForeignKey
ALTER TABLE "BindingChallenge" ADD CONSTRAINT "BindingChallenge_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;
