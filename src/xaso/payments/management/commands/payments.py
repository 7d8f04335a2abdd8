"""``xaso payments reconcile | daily [--day YYYY-MM-DD] | sandbox-deliver``.

- ``reconcile``: ask the gateway about pending payments with no notification
  (``XASO_PAYMENT_QUERY_AFTER_MINUTES``), give up abandoned ones, refund payments that could
  not count (the scheduler runs it every 10 minutes);
- ``daily``: the reconciliation list of each provider for a day (default: yesterday; the
  scheduler runs it at 01:30);
- ``sandbox-deliver``: deliver the local sandbox gateway's IPNs that are due (when no worker
  runs them)."""
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "Online payments: reconcile pending payments, make the daily reconciliation list, deliver sandbox notifications."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("reconcile", help="Query pending payments and refund what could not count.")
        daily = sub.add_parser("daily", help="Make the daily reconciliation list (default: yesterday).")
        daily.add_argument("--day", help="YYYY-MM-DD")
        daily.add_argument("--no-query", action="store_true", help="Do not ask the gateway (querydr).")
        sub.add_parser("sandbox-deliver", help="Deliver the sandbox gateway's due notifications.")

    def handle(self, *args, **options):
        from xaso.core.request_context import Actor, acting_as

        with acting_as(Actor(username="payments", source="command")):
            action = options["action"]
            if action == "reconcile":
                from xaso.payments import services

                stats = services.reconcile()
                self.stdout.write(", ".join(f"{k}: {v}" for k, v in stats.items()))
            elif action == "daily":
                from xaso.payments import providers, reconciliation

                try:
                    day = date.fromisoformat(options["day"]) if options.get("day") else timezone.localdate() - timedelta(days=1)
                except ValueError:
                    raise CommandError("--day must be YYYY-MM-DD") from None
                for key in providers.enabled_keys():
                    rec = reconciliation.build(key, day, query=not options["no_query"])
                    self.stdout.write(f"{key} {day}: " + ", ".join(f"{k}: {v}" for k, v in rec.totals.items()))
            else:
                from xaso.payments import sandbox

                self.stdout.write(f"delivered: {sandbox.deliver_due()}")
