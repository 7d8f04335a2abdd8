"""The Ngọc Liên set of life events of the guided finder (``xaso.portal.defaults``; an
administrator edits them in the admin; this migration only adds what is missing)."""
from django.db import migrations


def add(apps, schema_editor):
    from xaso.portal.defaults import ensure_life_events

    ensure_life_events(apps.get_model("portal", "LifeEvent"), apps.get_model("portal", "FinderQuestion"), apps.get_model("portal", "FinderAnswer"))


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
