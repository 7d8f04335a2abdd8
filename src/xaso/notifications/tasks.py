"""Background delivery through django-tasks: ``services.enqueue*`` wakes this task when
the transaction commits, so ``xaso db_worker`` sends notifications within seconds."""
import datetime as dt

from django_tasks import task


@task()
def send_notifications(batch: int = 50) -> dict:
    from . import services

    stats = services.send_due(batch=batch)
    if stats.failed and stats.next_due:
        # Come back when the earliest failed message is due again.
        services._wake_worker(run_after=dt.datetime.fromisoformat(stats.next_due))
    return stats.as_dict()
