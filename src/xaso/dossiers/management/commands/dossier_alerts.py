"""``xaso dossier_alerts``: the daily overdue / due-soon alert to each official. Run it once
a day (cron or a systemd timer), e.g. at 07:00; a second run the same day sends nothing."""
from django.core.management.base import BaseCommand

from xaso.core.request_context import Actor, acting_as


class Command(BaseCommand):
    help = "Queue the daily overdue / due-soon alert to each official (idempotent per day)."

    def handle(self, *args, **options):
        from xaso.dossiers.alerts import daily_alerts
        with acting_as(Actor(username="dossier_alerts", source="job")):
            result = daily_alerts()
        self.stdout.write(f"Officials alerted: {result['officials_alerted']}")
