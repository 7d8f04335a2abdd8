"""``xaso scheduler``: run the periodic jobs (daily alerts, plan reminders, portal sync,
outbox safety net, clean-up) at their times. ``--once`` runs what is due and exits;
``--list`` shows the jobs, their schedules and their last and next runs."""
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from xaso.core import schedule, scheduler


class Command(BaseCommand):
    help = "Run the periodic jobs at their times (or once with --once; --list shows them)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run the jobs that are due now, then exit.")
        parser.add_argument("--list", action="store_true", help="Show the jobs, their schedules, last and next runs.")
        parser.add_argument("--tick", type=float, default=None, help="Seconds between checks (default XASO_SCHEDULER_TICK_SECONDS, 30).")

    def handle(self, *args, **options):
        try:
            scheduler.specs()
        except schedule.ScheduleError as exc:
            raise CommandError(str(exc)) from None
        if options["list"]:
            return self._list()
        if options["once"]:
            return self._report(scheduler.run_due())
        tick = options["tick"] if options["tick"] is not None else getattr(settings, "XASO_SCHEDULER_TICK_SECONDS", 30)
        if tick <= 0:
            raise CommandError("--tick must be more than 0 seconds.")
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"Scheduler running (checks every {tick:g} s); Ctrl-C to stop.")
        self.stdout.flush()
        while not stop.is_set():
            close_old_connections()
            try:
                self._report(scheduler.run_due())
            except DatabaseError as exc:  # the database is away: try again next tick
                self.stderr.write(f"Scheduler: database error, retrying: {exc}")
            stop.wait(tick)
        self.stdout.write("Scheduler stopped.")

    def _report(self, done):
        for name, ok in done:
            self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} {name}: {'ok' if ok else 'FAILED (see the admin, Scheduled jobs)'}")
        self.stdout.flush()

    def _list(self):
        for job, spec, row, nxt in scheduler.status():
            last = timezone.localtime(row.last_started_at).strftime("%Y-%m-%d %H:%M") if row and row.last_started_at else "never"
            result = "" if not row or row.last_ok is None else (" ok" if row.last_ok else " FAILED")
            when = timezone.localtime(nxt).strftime("%Y-%m-%d %H:%M") if nxt else "-"
            self.stdout.write(f"{job.name:<20} {str(spec):<18} last {last}{result}; next {when}  ({' '.join(job.command)}: {job.purpose})")
