-- AlterTable
-- A debit written before this column paid for one request: the default says so without rewriting
-- a row, and suits the debits an older release writes while both run.
ALTER TABLE "ledger_entries" ADD COLUMN     "requests" INTEGER NOT NULL DEFAULT 1;
