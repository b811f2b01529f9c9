-- AlterTable
ALTER TABLE "Session" ADD COLUMN "pageKeyThumbprint" TEXT;

-- Sessions bound to a page key before this column existed: the page key is the binding key.
UPDATE "Session" SET "pageKeyThumbprint" = "bindingThumbprint" WHERE "bindingKind" = 'key_proof';
