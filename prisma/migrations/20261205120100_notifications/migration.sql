-- CreateEnum
CREATE TYPE "NotificationKind" AS ENUM ('ACCESS_REMINDER', 'CREDIT_ALERT', 'KEY_LIMIT_ALERT');

-- CreateEnum
CREATE TYPE "NotificationSendStatus" AS ENUM ('SENDING', 'SENT', 'FAILED');

-- AlterTable
ALTER TABLE "customers" ADD COLUMN     "notifyAccessReminders" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "notifyCreditAlerts" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "notifyKeyLimitAlerts" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "notification_sends" (
    "id" BIGSERIAL NOT NULL,
    "kind" "NotificationKind" NOT NULL,
    "orderId" TEXT NOT NULL,
    "keyId" TEXT NOT NULL DEFAULT '',
    "stage" TEXT NOT NULL,
    "period" TEXT NOT NULL DEFAULT '',
    "status" "NotificationSendStatus" NOT NULL DEFAULT 'SENDING',
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "payload" JSONB,
    "lastError" TEXT,
    "nextAttemptAt" TIMESTAMP(3),
    "claimedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "notification_sends_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "notification_sends_status_nextAttemptAt_idx" ON "notification_sends"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "notification_sends_kind_orderId_keyId_stage_period_key" ON "notification_sends"("kind", "orderId", "keyId", "stage", "period");

-- CreateIndex
CREATE INDEX "ledger_entries_orderId_kind_idx" ON "ledger_entries"("orderId", "kind");

-- AddForeignKey
ALTER TABLE "notification_sends" ADD CONSTRAINT "notification_sends_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;
