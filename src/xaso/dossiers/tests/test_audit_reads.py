"""Printing a slip, the process-control sheet or the tracking book shows applicants' personal
data: each is a read in the audit trail (they were not logged)."""
import pytest
from django.test import Client
from django.urls import reverse

from xaso.core.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_2fa(settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []


def _reads():
    return AuditRecord.objects.filter(action=AuditRecord.Action.READ)


def test_slips_control_sheet_and_book_are_audited_reads(world, make_intake):
    d = make_intake()
    client = Client()
    client.force_login(world.reception)
    receipt = d.documents.get(kind="receipt")
    before = _reads().count()
    assert client.get(reverse("dossiers:document", args=[d.code, receipt.pk, "docx"])).status_code == 200
    rec = _reads().latest("id")
    assert rec.object_id == str(d.pk) and rec.actor_id == world.reception.pk and "applicant_name" in rec.changes["fields"]
    assert "receipt" in rec.reason
    assert client.get(reverse("dossiers:control_sheet", args=[d.code, "docx"])).status_code == 200
    assert _reads().latest("id").reason.startswith("control")
    r = client.get(reverse("dossiers:book"), {"unit": world.centre.pk, "download": "1", "from": "2026-03-01", "to": "2026-03-31"})
    assert r.status_code == 200
    rec = _reads().latest("id")
    assert rec.object_type == "core.unit" and rec.object_id == str(world.centre.pk) and "2026-03-01" in rec.reason
    assert _reads().count() == before + 3
