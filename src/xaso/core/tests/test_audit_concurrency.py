"""Concurrent writers must keep one valid chain: no two records may chain onto the same
predecessor. Threads use their own database connections, so this runs against a real
server (PostgreSQL); on SQLite the test database is in memory and per connection."""
import random
import threading
import time

import pytest
from django.db import connection, connections, transaction

from xaso.core import audit
from xaso.core.models import AuditRecord, Unit
from xaso.core.request_context import Actor, acting_as

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database server shared by several connections"),
]

THREADS = 8
PER_THREAD = 25


def test_concurrent_writers_keep_a_single_chain():
    barrier = threading.Barrier(THREADS)
    errors = []

    def worker(n):
        try:
            barrier.wait()
            with acting_as(Actor(username=f"worker{n}", source="job")):
                for i in range(PER_THREAD):
                    with transaction.atomic():
                        audit.record(AuditRecord.Action.ACTION, verb="concurrent", object_id=f"{n}-{i}")
                        if i % 5 == 0:
                            # a tracked change in the same transaction, and a pause while holding it
                            Unit.objects.create(kind="other", code=f"u-{n}-{i}", name="x")
                            time.sleep(random.random() / 100)
                    if i % 7 == 3:
                        with pytest.raises(RuntimeError), transaction.atomic():
                            audit.record(AuditRecord.Action.ACTION, verb="rolled-back")
                            raise RuntimeError
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    expected = THREADS * PER_THREAD + THREADS * len(range(0, PER_THREAD, 5))
    assert AuditRecord.objects.count() == expected
    assert not AuditRecord.objects.filter(verb="rolled-back").exists()
    prev_hashes = list(AuditRecord.objects.values_list("prev_hash", flat=True))
    assert len(prev_hashes) == len(set(prev_hashes))  # no fork
    result = audit.verify_chain()
    assert result.ok, result.problem
    assert result.count == expected
