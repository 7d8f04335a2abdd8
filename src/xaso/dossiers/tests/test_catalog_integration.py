"""Terms copied from the catalogue's version in force at receipt."""

import pytest

from xaso.catalog.models import ProcedureVersion
from xaso.dossiers import services
from xaso.dossiers.deadlines import Facts, compute
from xaso.dossiers.services import ComponentIn, DossierError

from .conftest import applicant, at

def test_intake_copies_the_version(world, catalogue):
    version = (
        ProcedureVersion.objects.filter(valid_to__isnull=True, processing_unit=ProcedureVersion.ProcessingUnit.WORKING_DAYS, processing_amount__gt=0)
        .select_related("procedure", "field")
        .first()
    )
    terms = services.terms_from_version(version, world.commune)
    assert terms.version == version and terms.days == version.processing_amount
    assert sum(s["share"] for s in terms.steps) == 100
    comps = [ComponentIn(name=d["name"]) for d in terms.documents]
    d = services.intake(officer=world.reception, terms=terms, applicant=applicant(), components=comps, receiving_unit=world.centre, now=at(2026, 3, 2, 9))
    assert d.procedure_version == version and d.procedure_code == version.procedure.code
    assert float(d.legal_days) == version.processing_amount
    assert d.steps_plan == terms.steps
    # A later catalogue edit does not change the dossier.
    ProcedureVersion.objects.filter(pk=version.pk).update(processing_amount=version.processing_amount + 10)
    d.refresh_from_db()
    assert float(d.legal_days) == version.processing_amount


def test_unknown_time_refused(world, catalogue):
    version = ProcedureVersion.objects.filter(processing_unit=ProcedureVersion.ProcessingUnit.UNKNOWN).select_related("procedure").first()
    if version is None:
        pytest.skip("no procedure with an unknown time in the fixture")
    with pytest.raises(DossierError):
        services.terms_from_version(version, world.commune)


def test_calendar_days():
    from xaso.core.calendar import WorkCalendar

    cal = WorkCalendar()
    # 15 calendar days from Mon 02/02/2026 09:00 → Tue 17/02 (Tết) → next working day Mon 23/02.
    c = compute(cal, Facts(received_at=at(2026, 2, 2, 9), days=15, calendar_days=True), now=at(2026, 2, 2, 9))
    assert c.legal_due == at(2026, 2, 23, 17, 0)
