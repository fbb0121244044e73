-- CreateIndex
CREATE INDEX "request_logs_model_createdAt_idx" ON "request_logs"("model", "createdAt");

-- CreateIndex
CREATE INDEX "request_logs_status_createdAt_idx" ON "request_logs"("status", "createdAt");

-- CreateIndex
CREATE INDEX "request_logs_errorCode_createdAt_idx" ON "request_logs"("errorCode", "createdAt");
