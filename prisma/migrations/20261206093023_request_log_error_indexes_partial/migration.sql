-- The request log's status and error-code indexes without the rows of plain successes. Each is
-- built beside the one it replaces and swapped in by name, so the log stays readable through the
-- builds and the table is locked exclusively only for the drops and renames.

-- CreateIndex
CREATE INDEX "request_logs_status_createdAt_partial" ON "request_logs"("status", "createdAt") WHERE (status <> 200);

-- CreateIndex
CREATE INDEX "request_logs_errorCode_createdAt_partial" ON "request_logs"("errorCode", "createdAt") WHERE ("errorCode" IS NOT NULL);

-- DropIndex
DROP INDEX "request_logs_status_createdAt_idx";

-- DropIndex
DROP INDEX "request_logs_errorCode_createdAt_idx";

-- RenameIndex
ALTER INDEX "request_logs_status_createdAt_partial" RENAME TO "request_logs_status_createdAt_idx";

-- RenameIndex
ALTER INDEX "request_logs_errorCode_createdAt_partial" RENAME TO "request_logs_errorCode_createdAt_idx";
