"""The demo loader goes through the services, covers many states and is idempotent."""
import io

import pytest

from xaso.catalog import demo as catalog_demo
from xaso.core import demo as core_demo
from xaso.dossiers import demo
from xaso.dossiers.models import Dossier


@pytest.mark.django_db
def test_demo_loader(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(demo, "COUNT", 60)
    core_demo.load(io.StringIO())
    catalog_demo.load(io.StringIO())
    out = io.StringIO()
    demo.load(out)
    n = Dossier.objects.count()
    assert n >= 50, out.getvalue()
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert {"returned", "refused", "stopped"} <= statuses and len(statuses) >= 5, statuses
    # Every dossier has its history, written by the services.
    assert not Dossier.objects.filter(events__isnull=True).exists()
    # Some paid their fees, through the fee service (a payment row and an event each).
    from xaso.dossiers.models import FeePayment

    assert FeePayment.objects.exists()
    assert not Dossier.objects.filter(fee_paid=True, fee_payments__isnull=True).exists()
    assert FeePayment.objects.count() == Dossier.objects.filter(events__action="fee_payment").count()
    demo.load(out)
    assert Dossier.objects.count() == n
