-- AlterTable
ALTER TABLE "request_logs" ADD COLUMN     "failover" JSONB;
