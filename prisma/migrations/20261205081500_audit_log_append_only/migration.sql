-- The audit log is append-only: the application has no path that changes or removes an entry,
-- and the database refuses one too (UPDATE, DELETE, TRUNCATE), whoever sends it. Prisma's schema
-- has no triggers, so this migration is written by hand (npm run db:migration ignores triggers
-- when it diffs). A user with audit entries cannot be deleted either (the foreign key's SET NULL
-- is an UPDATE): people who acted stay accountable.
--
-- No semicolon may appear inside a statement here, comments included: the PostgreSQL driver
-- adapter splits a migration at every one. The function body is therefore an escape string with
-- its semicolons written as \073.

-- CreateFunction
CREATE FUNCTION "audit_log_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN RAISE EXCEPTION ''audit_log is append-only: % is not allowed'', TG_OP USING ERRCODE = ''insufficient_privilege''\073 END\073';

-- CreateTrigger
CREATE TRIGGER "audit_log_no_update_or_delete"
  BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "audit_log_refuse_change"();

-- CreateTrigger
CREATE TRIGGER "audit_log_no_truncate"
  BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_refuse_change"();
