export { auditListQuerySchema, listAuditEntries, type AuditEntrySummary, type AuditListQuery } from "./list-audit-entries";
export { recordAudit, type Actor, type AuditEntry } from "./record-audit";
