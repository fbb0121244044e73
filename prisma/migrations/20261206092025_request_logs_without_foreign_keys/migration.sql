-- DropForeignKey
ALTER TABLE "request_logs" DROP CONSTRAINT "request_logs_apiKeyId_fkey";

-- DropForeignKey
ALTER TABLE "request_logs" DROP CONSTRAINT "request_logs_channelId_fkey";

-- DropForeignKey
ALTER TABLE "request_logs" DROP CONSTRAINT "request_logs_orderId_fkey";
