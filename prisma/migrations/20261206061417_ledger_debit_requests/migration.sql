-- AlterTable
ALTER TABLE "ledger_entries" ADD COLUMN     "requests" INTEGER NOT NULL DEFAULT 0;

-- Every debit written before this migration paid for one request.
UPDATE "ledger_entries" SET "requests" = 1 WHERE "kind" = 'DEBIT';
