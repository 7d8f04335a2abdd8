"""``xaso scheduler``: periodic jobs run at their time, once per occurrence, whatever the
number of schedulers; a failing job is recorded and does not stop the others."""
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from xaso.core import scheduler
from xaso.core.models import ScheduledJob
from xaso.core.tests.parallel import run_parallel

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(d, hh, mm=0):
    return datetime(2026, 12, d, hh, mm, tzinfo=VN)


@pytest.fixture
def calls(monkeypatch):
    """The commands the scheduler runs, recorded instead of run (one fails on request)."""
    class Seen(list):
        failing: set

    seen = Seen()
    failing = set()

    def fake_call_command(*args, stdout=None, stderr=None):
        seen.append(args)
        if args[0] in failing:
            raise RuntimeError("gateway down")
        stdout.write(f"ran {' '.join(args)}\n")

    monkeypatch.setattr(scheduler, "call_command", fake_call_command)
    seen.failing = failing
    return seen


def names(done):
    return [name for name, _ in done]


def test_jobs_run_at_their_time_once(calls):
    # First sight anchors the schedule: nothing runs at once.
    assert scheduler.run_due(vn(1, 6, 0)) == []
    assert ScheduledJob.objects.count() == len(scheduler.JOBS)
    # 5 minutes later the frequent jobs are due; 07:00 brings the daily alerts.
    assert names(scheduler.run_due(vn(1, 6, 5))) == ["audit_anchor", "dossier_sync", "notifications_send"]
    assert names(scheduler.run_due(vn(1, 7, 0))) == ["dossier_alerts", "audit_anchor", "dossier_sync", "notifications_send", "payments_reconcile"]
    assert scheduler.run_due(vn(1, 7, 0)) == []  # the same tick again: nothing twice
    assert names(scheduler.run_due(vn(1, 7, 30))) == ["audit_anchor", "plan_remind", "dossier_sync", "notifications_send", "payments_reconcile"]
    assert ("plan", "remind") in calls and ("dossier_alerts",) in calls
    row = ScheduledJob.objects.get(name="dossier_alerts")
    assert row.runs == 1 and row.last_ok is True and row.last_output == "ran dossier_alerts\n"
    assert row.last_started_at == vn(1, 7, 0) and row.last_finished_at is not None
    # The next day at 07:00 again; the 03:00 clean-up too.
    assert "prune_task_results" in names(scheduler.run_due(vn(2, 3, 0)))
    assert "dossier_alerts" in names(scheduler.run_due(vn(2, 7, 0)))
    assert ScheduledJob.objects.get(name="dossier_alerts").runs == 2


def test_missed_mornings_are_made_up_once(calls):
    scheduler.run_due(vn(1, 6, 0))
    assert "dossier_alerts" in names(scheduler.run_due(vn(4, 9, 0)))  # three days down
    assert "dossier_alerts" not in names(scheduler.run_due(vn(4, 9, 10)))
    assert "dossier_alerts" in names(scheduler.run_due(vn(5, 7, 0)))


def test_a_failing_job_is_recorded_and_the_others_run(calls):
    scheduler.run_due(vn(1, 6, 0))
    calls.failing.add("dossier_sync")
    done = dict(scheduler.run_due(vn(1, 6, 5)))
    assert done == {"audit_anchor": True, "dossier_sync": False, "notifications_send": True}
    row = ScheduledJob.objects.get(name="dossier_sync")
    assert row.last_ok is False and "gateway down" in row.last_output and "Traceback" in row.last_output
    calls.failing.clear()
    assert dict(scheduler.run_due(vn(1, 6, 10)))["dossier_sync"] is True  # retried at the next occurrence


def test_schedule_overrides(calls, settings):
    settings.XASO_SCHEDULE = "dossier_alerts=daily 06:30; dossier_sync=off;notifications_send=every 1 minute;audit_anchor=off"
    scheduler.run_due(vn(1, 6, 0))
    assert names(scheduler.run_due(vn(1, 6, 30))) == ["dossier_alerts", "notifications_send", "payments_reconcile"]
    settings.XASO_SCHEDULE = "dossier_alerts=at dawn"
    with pytest.raises(CommandError, match="daily HH:MM"):
        call_command("scheduler", "--once", stdout=io.StringIO())
    settings.XASO_SCHEDULE = "backup=daily 01:00"
    with pytest.raises(CommandError, match="unknown job"):
        call_command("scheduler", "--list", stdout=io.StringIO())


def test_a_stale_claim_loses(calls):
    """Two schedulers read the row, both find the job due: the second conditional update
    finds last_started_at changed and does not run it."""
    scheduler.run_due(vn(1, 6, 0))
    spec = scheduler.specs()["dossier_sync"]
    stale = ScheduledJob.objects.get(name="dossier_sync")
    assert scheduler.claim("dossier_sync", spec, vn(1, 6, 5)) is True
    taken = ScheduledJob.objects.filter(name="dossier_sync", last_started_at=stale.last_started_at).update(last_started_at=vn(1, 6, 5))
    assert taken == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_schedulers_run_each_occurrence_once(calls):
    scheduler.run_due(vn(1, 6, 0))
    results, errors = run_parallel(4, lambda i: scheduler.run_due(vn(1, 7, 0)))
    assert not errors, errors
    assert sorted(names([job for done in results for job in done])) == ["audit_anchor", "dossier_alerts", "dossier_sync", "notifications_send", "payments_reconcile"]
    assert ScheduledJob.objects.get(name="dossier_alerts").runs == 1


def test_command_once_and_list(calls, settings):
    settings.XASO_SCHEDULE = "notifications_send=every 1 minute"
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert out.getvalue() == ""  # first sight: nothing due yet
    ScheduledJob.objects.filter(name="notifications_send").update(anchor=datetime(2020, 1, 1, tzinfo=VN))
    call_command("scheduler", "--once", stdout=out)
    assert "notifications_send: ok" in out.getvalue()
    listing = io.StringIO()
    call_command("scheduler", "--list", stdout=listing)
    text = listing.getvalue()
    assert "dossier_alerts" in text and "daily 07:00" in text and "every 1 minutes" in text and " ok;" in text


def test_real_commands_run_from_the_scheduler(settings):
    """Without the fake: the registered commands exist and run on an empty database."""
    for job in scheduler.JOBS:
        assert scheduler.run(job) is True, ScheduledJob.objects.filter(name=job.name).values_list("last_output", flat=True)
