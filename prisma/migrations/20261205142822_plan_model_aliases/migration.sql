-- AlterTable
ALTER TABLE "plans" ADD COLUMN     "modelAliases" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "request_logs" ADD COLUMN     "requestedModel" TEXT;
