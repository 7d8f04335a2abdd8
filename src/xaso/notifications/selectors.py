"""Read queries about the outbox."""
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min
from django.utils import timezone

from .models import Message


@dataclass
class QueueHealth:
    by_status: dict
    oldest_due_at: dt.datetime | None
    dead_last_day: int

    @property
    def oldest_due_age_seconds(self) -> float:
        if self.oldest_due_at is None:
            return 0.0
        return max(0.0, (timezone.now() - self.oldest_due_at).total_seconds())


def queue_health(now: dt.datetime | None = None) -> QueueHealth:
    """Counts per status, the oldest message waiting for a (first or next) attempt, and how
    many messages died in the last 24 hours: what a monitoring check needs."""
    now = now or timezone.now()
    counts = {row["status"]: row["n"] for row in Message.objects.values("status").annotate(n=Count("id"))}
    by_status = {status: counts.get(status, 0) for status in Message.Status.values}
    oldest = (
        Message.objects.filter(status__in=[Message.Status.PENDING, Message.Status.FAILED], next_attempt_at__lte=now)
        .aggregate(m=Min("next_attempt_at"))["m"]
    )
    dead = Message.objects.filter(status=Message.Status.DEAD, created_at__gte=now - dt.timedelta(days=1)).count()
    return QueueHealth(by_status, oldest, dead)
