import "server-only";
import type { Prisma } from "@/lib/db";
import { csvRow } from "@/lib/text/csv";
import { listAuditEntries, type AuditEntrySummary, type AuditListQuery } from "./list-audit-entries";

// The audit log as CSV (cells formula-guarded and quoted by lib/text/csv), for a spreadsheet or
// another system.

export const AUDIT_CSV_HEADER = ["id", "time_utc", "actor", "ip", "action", "target_type", "target_id", "details"] as const;

function auditCsvRow(entry: AuditEntrySummary): string {
  return csvRow([entry.id, entry.createdAt.toISOString(), entry.actor, entry.ip, entry.action, entry.targetType, entry.targetId, entry.details]);
}

const PAGE = 500;
/** A bound on one export, so one request cannot tie up the database for ever; narrow the filters for more. */
export const MAX_EXPORT_ROWS = 200_000;

/**
 * The entries `query`'s filters select, in its order, as a stream of CSV text: read a page at a
 * time (keyset, like the console's list) as the client takes it, never the whole log in memory.
 */
export function auditCsvStream(db: Prisma, query: AuditListQuery): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: string | null = null;
  let sent = 0;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(csvRow(AUDIT_CSV_HEADER)));
        return;
      }
      const page = await listAuditEntries(db, { query: { ...query, cursor }, take: Math.min(PAGE, MAX_EXPORT_ROWS - sent) });
      sent += page.rows.length;
      if (page.rows.length > 0) controller.enqueue(encoder.encode(page.rows.map(auditCsvRow).join("")));
      cursor = page.nextCursor;
      if (cursor === null || sent >= MAX_EXPORT_ROWS) controller.close();
    },
  });
}
