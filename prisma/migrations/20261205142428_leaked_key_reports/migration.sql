-- CreateTable
CREATE TABLE "leaked_key_reports" (
    "id" TEXT NOT NULL,
    "apiKeyId" TEXT NOT NULL,
    "scanner" TEXT NOT NULL,
    "url" TEXT,
    "location" TEXT,
    "tokenType" TEXT NOT NULL,
    "statusBefore" TEXT NOT NULL,
    "newKeyId" TEXT,
    "ticketId" TEXT,
    "reportedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "leaked_key_reports_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "leaked_key_reports_apiKeyId_key" ON "leaked_key_reports"("apiKeyId");

-- AddForeignKey
ALTER TABLE "leaked_key_reports" ADD CONSTRAINT "leaked_key_reports_apiKeyId_fkey" FOREIGN KEY ("apiKeyId") REFERENCES "api_keys"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
