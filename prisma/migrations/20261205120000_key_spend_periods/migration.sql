-- A key's spend limit gets a period (a UTC day, a week from Monday 00:00 UTC, or a calendar month).
-- The column is renamed rather than dropped and added, so every existing limit keeps its amount
-- and, through the default, stays a monthly limit.

-- CreateEnum
CREATE TYPE "SpendLimitPeriod" AS ENUM ('DAY', 'WEEK', 'MONTH');

-- AlterTable
ALTER TABLE "api_keys" RENAME COLUMN "monthlyLimitMicros" TO "spendLimitMicros";
ALTER TABLE "api_keys" ADD COLUMN "spendLimitPeriod" "SpendLimitPeriod" NOT NULL DEFAULT 'MONTH';
