"""Several workers running at once never send a message twice (PostgreSQL: row locks with
SKIP LOCKED; each thread has its own connection)."""
import threading

import pytest
from django.db import connection, connections

from xaso.notifications import services
from xaso.notifications.models import Message

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database server shared by several connections"),
]

WORKERS = 6
MESSAGES = 120


def test_parallel_workers_send_each_message_once(recording):
    for i in range(MESSAGES):
        services.enqueue_sms("0912345678", f"m{i}")
    recording.delay = 0.002
    barrier = threading.Barrier(WORKERS)
    errors, per_worker = [], {}

    def run(n):
        try:
            barrier.wait()
            stats = services.send_due(batch=4, worker_id=f"w{n}")
            per_worker[n] = stats.sent
        except Exception as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(recording.sent) == MESSAGES and len(set(recording.sent)) == MESSAGES
    assert sum(per_worker.values()) == MESSAGES
    assert sum(1 for v in per_worker.values() if v) > 1  # the work was really shared
    assert Message.objects.filter(status=Message.Status.SENT).count() == MESSAGES
    assert not Message.objects.filter(attempts__gt=1).exists()
