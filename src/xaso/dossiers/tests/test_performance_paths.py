"""The fast read and write paths give the same answers as the slow ones they replace."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xaso.dossiers import deadlines, selectors, services
from xaso.dossiers.models import CodeCounter, Component, DocumentCounter, Dossier, SyncJob

from .conftest import applicant, at

pytestmark = pytest.mark.django_db


def _dossiers_in_every_clock_state(world, make_intake):
    plain = make_intake(now=at(2026, 3, 2, 9, 0))
    d = make_intake(now=at(2026, 3, 2, 10, 0))
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 10, 10))
    d = services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 10, 20))
    waiting = services.request_supplement(d, world.specialist, items=["a"], reason="b", now=at(2026, 3, 3, 9, 0))
    d = make_intake(now=at(2026, 3, 2, 11, 0))
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 11, 10))
    d = services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 11, 20))
    d = services.request_supplement(d, world.specialist, items=["a"], reason="b", now=at(2026, 3, 3, 9, 0))
    resumed = services.supplement_received(d, world.reception, now=at(2026, 3, 9, 14, 0))
    d = make_intake(now=at(2026, 3, 2, 16, 30))  # after the cut-off hour
    d = services.transfer(d, world.reception, now=at(2026, 3, 3, 8, 0))
    d = services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 3, 8, 10))
    services.apologise(d, world.head, reason="Chờ xác minh", new_due_at=at(2026, 3, 16, 17), now=at(2026, 3, 4, 9))
    return [plain.pk, waiting.pk, resumed.pk, d.pk]


@pytest.mark.parametrize("now", [at(2026, 3, 4, 9, 0), at(2026, 3, 11, 15, 30), at(2026, 6, 1, 8, 0)])
def test_worklist_clock_from_stored_due_equals_full_recomputation(world, make_intake, now):
    ids = _dossiers_in_every_clock_state(world, make_intake)
    cal = services.get_calendar()
    fast = {r.dossier.pk: r for r in selectors.with_clocks(Dossier.objects.filter(pk__in=ids).only(*selectors.WORKLIST_FIELDS), cal, now=now)}
    assert set(fast) == set(ids)
    for pk in ids:
        full = services.clock(Dossier.objects.get(pk=pk), now=now, calendar=cal)
        got = fast[pk].clock
        assert (got.legal_due, got.effective_due, got.remaining, got.paused, got.overdue) == (
            full.legal_due, full.effective_due, full.remaining, full.paused, full.overdue
        ), pk
    # The row's display strings come from the same clock.
    row = fast[ids[0]]
    assert row.due_text == f"{row.clock.effective_due.astimezone(world_tz()):%H:%M %d/%m/%Y}"


def world_tz():
    from django.utils import timezone

    return timezone.get_current_timezone()


def test_stored_due_dates_match_recomputation(world, make_intake):
    ids = _dossiers_in_every_clock_state(world, make_intake)
    for d in Dossier.objects.filter(pk__in=ids):
        c = services.clock(d, now=at(2026, 3, 10, 9, 0))
        if not c.paused:  # a paused clock's due date moves with now; it is refreshed on resume
            assert (d.legal_due_at, d.due_at) == (c.legal_due, c.effective_due)


def test_running_clock_matches_compute_property(world):
    cal = services.get_calendar()
    received = at(2026, 1, 30, 16, 0)  # before Tết 2026
    facts = deadlines.Facts(received_at=received, days=5, cutoff=None)
    for hours_later in range(0, 24 * 40, 7):
        now = received + timedelta(hours=hours_later)
        full = deadlines.compute(cal, facts, now=now)
        fast = deadlines.running_clock(cal, full.effective_due, full.legal_due, now=now)
        assert (fast.remaining, fast.overdue, fast.paused) == (full.remaining, full.overdue, full.paused)


def test_counters_are_one_upsert_each_and_roll_back(world, make_intake, monkeypatch):
    d1 = make_intake(now=at(2026, 3, 2, 9, 0))
    d2 = make_intake(now=at(2026, 3, 2, 9, 5))
    assert [d1.code[-4:], d2.code[-4:]] == ["0001", "0002"]
    assert CodeCounter.objects.get(unit=world.centre).last == 2
    assert DocumentCounter.objects.get(unit=world.centre, kind="receipt").last == 2

    def fail(*a, **kw):
        raise services.DossierError("failure after the code was drawn")

    # A failure after the code and the receipt number were drawn rolls both back.
    with monkeypatch.context() as m:
        m.setattr(services, "_event", fail)
        with pytest.raises(services.DossierError):
            make_intake(now=at(2026, 3, 2, 9, 10))
    assert CodeCounter.objects.get(unit=world.centre).last == 2
    assert DocumentCounter.objects.get(unit=world.centre, kind="receipt").last == 2
    assert make_intake(now=at(2026, 3, 2, 9, 15)).code.endswith("-260302-0003")
    d3 = make_intake(now=at(2026, 3, 3, 9, 0))
    assert d3.code.endswith("-260303-0001")


def test_intake_statement_count_and_payload(world, make_intake):
    make_intake(now=at(2026, 3, 2, 8, 0))  # warm the scope and calendar caches
    with CaptureQueriesContext(connection) as q:
        d = make_intake(now=at(2026, 3, 2, 9, 0), applicant=applicant(email=""))
    statements = [x["sql"] for x in q.captured_queries]
    # One INSERT for all components, one upsert per counter, nothing read back for the
    # sync payload.
    assert sum(s.startswith('INSERT INTO "dossiers_component"') for s in statements) == 1
    assert sum('"dossiers_codecounter"' in s for s in statements) == 1
    assert sum('"dossiers_documentcounter"' in s for s in statements) == 1
    assert not any(s.startswith("SELECT") and '"dossiers_component"' in s for s in statements)
    assert len(statements) <= 24, statements
    payload = SyncJob.objects.get(dossier=d, event="intake").payload
    comps = list(Component.objects.filter(dossier=d))
    assert [c["TenTepDinhKem"] for c in payload["TaiLieuNop"]] == [c.name for c in comps]
    assert payload["HoSoCoThanhPhanSoHoa"] is True and payload["DanhSachTamDung"] == []


def test_public_lookup_is_one_query(world, make_intake, django_assert_num_queries):
    d = make_intake(now=at(2026, 3, 2, 9, 0))
    d = services.transfer(d, world.reception, now=at(2026, 3, 2, 9, 30))
    with django_assert_num_queries(1):
        found = selectors.public_lookup(d.code.lower(), "5678")
        history = selectors.public_history(found)
    assert found.code == d.code and found.get_status_display()
    assert [h["action"] for h in history] == ["intake", "transfer"]
    assert history[0]["unit"] == world.centre.name
    assert selectors.public_lookup(d.code, "0000") is None


def test_working_time_index_equals_the_calendar(world):
    import random

    cal = services.get_calendar()
    idx = deadlines.WorkingTimeIndex(cal)
    rng = random.Random(3)
    start = at(2024, 1, 1, 0, 0)
    for _ in range(400):
        a = start + timedelta(minutes=rng.randrange(0, 4 * 365 * 24 * 60))
        b = a + timedelta(minutes=rng.choice([rng.randrange(0, 3000), rng.randrange(0, 900 * 24 * 60)]))
        if rng.random() < 0.5:
            a, b = b, a
        assert idx.between(a, b) == cal.working_time_between(a, b), (a, b)
    # Through Tết 2026 and the 2026 swaps, across midnight boundaries exactly.
    assert idx.between(at(2026, 2, 1, 0, 0), at(2026, 3, 2, 0, 0)) == cal.working_time_between(at(2026, 2, 1, 0, 0), at(2026, 3, 2, 0, 0))
