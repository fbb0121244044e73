-- DropIndex
DROP INDEX "request_logs_errorCode_createdAt_idx";

-- DropIndex
DROP INDEX "request_logs_status_createdAt_idx";

-- CreateIndex
CREATE INDEX "request_logs_status_createdAt_idx" ON "request_logs"("status", "createdAt") WHERE (status >= 400);

-- CreateIndex
CREATE INDEX "request_logs_errorCode_createdAt_idx" ON "request_logs"("errorCode", "createdAt") WHERE ("errorCode" IS NOT NULL);
