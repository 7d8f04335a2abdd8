"""Create the database cache table when the default cache is the database cache (the
default: rate limits must be shared by every server process). A no-op for other caches."""
from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_append_only")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True)]
