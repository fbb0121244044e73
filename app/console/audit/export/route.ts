import { auditCsvStream, auditListQuerySchema, recordAudit } from "@/lib/audit";
import { getCurrentUser } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { clientIpFromHeaders } from "@/lib/server/client-ip";

export const dynamic = "force-dynamic";

// GET /console/audit/export?actor=…&action=…&target=…&from=…&to=… — the audit log entries the
// filters select, as CSV (the same filters as the page). Admins only, checked here: a route
// handler is reachable without the page. Anyone else gets the console's 404. The export itself is
// audited.
export async function GET(request: Request) {
  const user = await getCurrentUser();
  if (!user || user.role !== "ADMIN") return new Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  const params = new URL(request.url).searchParams;
  const query = auditListQuerySchema.parse({ ...Object.fromEntries(params), cursor: null });
  const db = getDb();
  const filters = { dir: query.dir, q: query.q, actor: query.actor, action: query.action, target: query.target, from: query.from, to: query.to };
  await recordAudit(db, {
    actor: { userId: user.id, ip: clientIpFromHeaders(request.headers) },
    action: "audit_log.exported",
    targetType: "audit_log",
    targetId: "csv",
    details: Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== "")),
  });
  const day = new Date().toISOString().slice(0, 10);
  return new Response(auditCsvStream(db, query), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="audit-log-${day}.csv"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
