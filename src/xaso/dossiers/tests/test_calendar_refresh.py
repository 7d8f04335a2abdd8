"""Stored due dates follow the working-day calendar when an administrator records a decision."""
from datetime import date

import pytest

from xaso.core.models import AuditRecord, CalendarDecision
from xaso.dossiers.models import Dossier

from .conftest import at

pytestmark = pytest.mark.django_db(transaction=True)


def test_recording_a_day_off_moves_running_dossiers_and_removing_it_moves_them_back(world, make_intake):
    d = make_intake(now=at(2026, 3, 2, 9, 0))  # 3 working days: Mon 02/03 09:00 → Thu 05/03 09:00
    assert Dossier.objects.get(pk=d.pk).due_at == at(2026, 3, 5, 9, 0)
    decision = CalendarDecision.objects.create(
        date=date(2026, 3, 4), kind=CalendarDecision.Kind.DAY_OFF, name="Nghỉ đột xuất", decision_number="1/TB-TEST"
    )
    assert Dossier.objects.get(pk=d.pk).due_at == at(2026, 3, 6, 9, 0)
    assert Dossier.objects.get(pk=d.pk).legal_due_at == at(2026, 3, 6, 9, 0)
    assert AuditRecord.objects.filter(verb="dossier.due_dates_refreshed").count() == 1
    decision.delete()
    assert Dossier.objects.get(pk=d.pk).due_at == at(2026, 3, 5, 9, 0)


def test_a_decision_after_the_due_date_changes_nothing(world, make_intake):
    d = make_intake(now=at(2026, 3, 2, 9, 0))
    CalendarDecision.objects.create(
        date=date(2026, 3, 20), kind=CalendarDecision.Kind.DAY_OFF, name="Nghỉ đột xuất", decision_number="2/TB-TEST"
    )
    assert Dossier.objects.get(pk=d.pk).due_at == at(2026, 3, 5, 9, 0)
    assert not AuditRecord.objects.filter(verb="dossier.due_dates_refreshed").exists()


def test_open_steps_follow_the_calendar_and_finished_steps_do_not(world, make_intake):
    from xaso.dossiers import services
    from xaso.dossiers.models import Step

    d = make_intake(now=at(2026, 3, 2, 9, 0))
    services.transfer(d, world.reception, now=at(2026, 3, 2, 9, 30))
    services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 10, 0))
    appraisal = Step.objects.get(dossier=d, finished_at__isnull=True)
    finished = list(Step.objects.filter(dossier=d, finished_at__isnull=False).values_list("pk", "due_at"))
    before = appraisal.due_at
    assert before is not None and before.date() >= at(2026, 3, 3).date()
    decision = CalendarDecision.objects.create(
        date=date(2026, 3, 3), kind=CalendarDecision.Kind.DAY_OFF, name="Nghỉ đột xuất", decision_number="3/TB-TEST"
    )
    appraisal.refresh_from_db()
    assert appraisal.due_at > before
    assert appraisal.due_at == services._step_due(Dossier.objects.get(pk=d.pk), appraisal.started_at, appraisal.share_percent, services.get_calendar())
    assert appraisal.due_at.date() != date(2026, 3, 3)
    # Steps already handed over keep the due time they were judged against.
    assert list(Step.objects.filter(dossier=d, finished_at__isnull=False).values_list("pk", "due_at")) == finished
    record = AuditRecord.objects.get(verb="dossier.due_dates_refreshed")
    assert record.changes["steps"] == [None, 1]
    decision.delete()
    appraisal.refresh_from_db()
    assert appraisal.due_at == before
