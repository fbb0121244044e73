-- AlterEnum
BEGIN;
CREATE TYPE "TicketCategory_new" AS ENUM ('KEY_EXPOSED', 'ERROR', 'BILLING', 'OTHER');
ALTER TABLE "public"."tickets" ALTER COLUMN "category" DROP DEFAULT;
-- The categories a buyer chooses from: a leaked key or rotation, an error or outage, billing, other.
ALTER TABLE "tickets" ALTER COLUMN "category" TYPE "TicketCategory_new" USING (
  CASE "category"::text
    WHEN 'API_KEY' THEN 'KEY_EXPOSED'
    WHEN 'ACCESS' THEN 'ERROR'
    WHEN 'BILLING' THEN 'BILLING'
    ELSE 'OTHER'
  END::"TicketCategory_new");
ALTER TYPE "TicketCategory" RENAME TO "TicketCategory_old";
ALTER TYPE "TicketCategory_new" RENAME TO "TicketCategory";
DROP TYPE "public"."TicketCategory_old";
ALTER TABLE "tickets" ALTER COLUMN "category" SET DEFAULT 'OTHER';
COMMIT;

-- DropIndex
DROP INDEX "tickets_customerId_updatedAt_idx";

-- DropIndex
DROP INDEX "tickets_status_updatedAt_idx";

-- AlterTable
ALTER TABLE "tickets" ADD COLUMN     "firstResponseAt" TIMESTAMP(3),
ADD COLUMN     "firstResponseDueAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "lastActivityAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "requestIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "resolvedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "tickets_customerId_lastActivityAt_idx" ON "tickets"("customerId", "lastActivityAt");

-- CreateIndex
CREATE INDEX "tickets_status_lastActivityAt_idx" ON "tickets"("status", "lastActivityAt");

-- CreateIndex
CREATE INDEX "tickets_status_resolvedAt_idx" ON "tickets"("status", "resolvedAt");

-- Existing tickets: last activity is their last message, the first response is the first staff
-- message, and the target is four hours after opening.
UPDATE "tickets" t SET
  "lastActivityAt" = COALESCE((SELECT max(m."createdAt") FROM "ticket_messages" m WHERE m."ticketId" = t."id"), t."updatedAt"),
  "firstResponseDueAt" = t."createdAt" + interval '4 hours',
  "firstResponseAt" = (SELECT min(m."createdAt") FROM "ticket_messages" m JOIN "users" u ON u."id" = m."authorId"
                       WHERE m."ticketId" = t."id" AND NOT m."internal" AND u."role" <> 'BUYER'),
  "resolvedAt" = CASE WHEN t."status" = 'RESOLVED' THEN t."updatedAt" END;

-- Ticket numbers read T-1001 and up.
SELECT setval(pg_get_serial_sequence('"tickets"', 'number'), GREATEST(1000, (SELECT COALESCE(max("number"), 0) FROM "tickets")));
