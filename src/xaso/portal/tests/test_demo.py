"""The portal's demo: citizens with vault documents and online dossiers in every state a
citizen sees, through the services; idempotent."""
import io

import pytest

from xaso.dossiers.models import Dossier
from xaso.portal import demo
from xaso.portal.models import Draft, NationalIdentity
from xaso.vault.models import Document, Reuse


@pytest.mark.django_db
def test_portal_demo(settings, tmp_path):
    from xaso.catalog import demo as catalog_demo
    from xaso.core import demo as core_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    core_demo.load(io.StringIO())
    catalog_demo.load(io.StringIO())
    out = io.StringIO()
    demo.load(out)
    statuses = set(Dossier.objects.filter(request_key__startswith=demo.DEMO_KEY).values_list("status", flat=True))
    assert statuses == {"submitted", "reception_supplement", "supplement", "in_progress", "result_ready", "returned", "refused", "reception_refused", "stopped"}, out.getvalue()
    assert Document.objects.filter(source=Document.Source.RESULT).exists() and Reuse.objects.exists()
    assert Draft.objects.filter(dossier__isnull=True).count() == 1
    assert NationalIdentity.objects.get(user__username=demo.SECOND_CITIZEN["username"]).level == 2
    n, docs = Dossier.objects.count(), Document.objects.count()
    demo.load(out)
    assert (Dossier.objects.count(), Document.objects.count()) == (n, docs)
