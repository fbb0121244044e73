export { auditFilterWhere, auditListQuerySchema, listAuditEntries, type AuditEntrySummary, type AuditListQuery } from "./list-audit-entries";
export { recordAudit, type Actor, type AuditEntry } from "./record-audit";
export { AUDIT_CSV_HEADER, auditCsvStream, MAX_EXPORT_ROWS } from "./audit-csv";
