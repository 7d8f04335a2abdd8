"""Rate-limit counters in an UNLOGGED table on PostgreSQL.

A counter is written on every public lookup and every login-code request. In a logged table
each of those writes waits for its WAL record to reach the disk; an unlogged table skips the
WAL (a count costs about half as much, and its worst case a fifth). What is given up is only
what a counter is worth: after a crash of the database server the table is emptied, so the
limits start again from zero. Replicas do not see unlogged tables, which no reader needs.
SQLite has no such notion: nothing changes there.
"""
from django.db import migrations


def _alter(persistence):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("core", "RateCounter")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET {persistence}")

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0005_rate_counter")]

    operations = [migrations.RunPython(_alter("UNLOGGED"), _alter("LOGGED"), elidable=False)]
