"""The shipped list of document types the catalogue's required documents map to (an
administrator edits it in the admin; this migration only adds the types missing)."""
from django.db import migrations


def add(apps, schema_editor):
    from xaso.vault.defaults import ensure_document_types

    ensure_document_types(apps.get_model("vault", "DocumentType"))


class Migration(migrations.Migration):
    dependencies = [("vault", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
