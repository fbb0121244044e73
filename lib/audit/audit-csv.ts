import "server-only";
import type { Prisma } from "@/lib/db";
import { listAuditEntries, type AuditEntrySummary, type AuditListQuery } from "./list-audit-entries";

// The audit log as CSV (RFC 4180), for a spreadsheet or another system. Cells a spreadsheet would
// read as a formula (starting with = + - @, or a tab or carriage return that some programs skip
// before one) are prefixed with an apostrophe, so a crafted value in the log (a subject, an email
// address, a reason) cannot run when the file is opened.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV cell: formula-guarded, quoted when it holds a quote, comma or line break. */
export function csvCell(value: string | null | undefined): string {
  let text = value ?? "";
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line, CRLF-terminated as RFC 4180 has it. */
export function csvRow(values: readonly (string | null | undefined)[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

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
