export { listAuditEntries, type AuditEntrySummary } from "./list-audit-entries";
export { recordAudit, type Actor, type AuditEntry } from "./record-audit";
