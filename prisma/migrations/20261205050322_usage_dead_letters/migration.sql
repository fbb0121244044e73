-- DropIndex
DROP INDEX "ledger_entries_requestId_idx";

-- CreateTable
CREATE TABLE "usage_dead_letters" (
    "id" BIGSERIAL NOT NULL,
    "requestId" TEXT NOT NULL,
    "record" TEXT NOT NULL,
    "error" TEXT NOT NULL,
    "billed" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_dead_letters_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "usage_dead_letters_createdAt_idx" ON "usage_dead_letters"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_entries_requestId_key" ON "ledger_entries"("requestId");
