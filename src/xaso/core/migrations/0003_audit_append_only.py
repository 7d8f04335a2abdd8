"""Database-level guard of the audit trail: the table refuses UPDATE (and, on PostgreSQL,
DELETE) whatever the client. On SQLite only UPDATE is refused, because Django's ``flush``
(used by tests and ``xaso flush``) empties tables with DELETE there; the hash chain still
reveals any removed record (``xaso audit verify``)."""
from django.db import migrations

PG_INSTALL = """
CREATE OR REPLACE FUNCTION xaso_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditrecord_append_only ON core_auditrecord;
CREATE TRIGGER core_auditrecord_append_only
    BEFORE UPDATE OR DELETE ON core_auditrecord
    FOR EACH ROW EXECUTE FUNCTION xaso_audit_append_only();
"""
PG_REMOVE = """
DROP TRIGGER IF EXISTS core_auditrecord_append_only ON core_auditrecord;
DROP FUNCTION IF EXISTS xaso_audit_append_only();
"""
SQLITE_INSTALL = """
CREATE TRIGGER IF NOT EXISTS core_auditrecord_no_update BEFORE UPDATE ON core_auditrecord
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE on core_auditrecord refused');
END;
"""
SQLITE_REMOVE = "DROP TRIGGER IF EXISTS core_auditrecord_no_update;"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_INSTALL, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_INSTALL, params=None)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REMOVE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_calendar_audit_logincode")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
