from pathlib import Path

import pytest
from django.core.management import call_command

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "procedures.csv"


@pytest.fixture(autouse=True)
def _plain_static_and_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "vi"


def reimport_into_empty_catalogue(path):
    """Empty the catalogue, import ``path`` again and check every procedure's content comes
    back as it was (the import/export round trip)."""
    from xaso.catalog import services
    from xaso.catalog.importer import import_file
    from xaso.catalog.models import Fee, Procedure, ProcedureVersion, ProcessStep, RequiredDocument

    snapshot = {p.code: services.version_content(p.current_version()) for p in Procedure.objects.all()}
    for model in (Fee, RequiredDocument, ProcessStep, ProcedureVersion, Procedure):
        model.objects.all().delete()
    report = import_file(path)
    assert report.ok and report.count("created") == len(snapshot)
    for p in Procedure.objects.all():
        assert services.version_content(p.current_version()) == snapshot[p.code], p.code


@pytest.fixture
def catalogue(db):
    from xaso.catalog.importer import import_file

    report = import_file(FIXTURE)
    assert report.ok, report.errors
    return report


@pytest.fixture
def run_catalog():
    def run(*args):
        from io import StringIO

        out, err = StringIO(), StringIO()
        try:
            call_command("catalog", *args, stdout=out, stderr=err)
            return 0, out.getvalue(), err.getvalue()
        except Exception as exc:  # CommandError
            return 1, out.getvalue(), err.getvalue() + str(exc)

    return run
