"""The database counter store behind the rate limits (xaso.core.counters)."""
import datetime as dt
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xaso.core.counters import CounterCache
from xaso.core.models import RateCounter

pytestmark = pytest.mark.django_db


@pytest.fixture
def counters():
    return CounterCache("", {})


def test_add_incr_get(counters):
    assert counters.add("k", 1, 60) is True
    assert counters.add("k", 1, 60) is False  # a live counter is left alone
    assert counters.incr("k") == 2
    assert counters.incr("k", 5) == 7
    assert counters.get("k") == 7
    assert counters.get("missing", "default") == "default"
    with pytest.raises(ValueError):
        counters.incr("missing")


def test_each_count_is_one_statement(counters):
    counters.add("k", 1, 60)
    with CaptureQueriesContext(connection) as ctx:
        assert counters.add("k", 1, 60) is False
        assert counters.incr("k") == 2
    assert len(ctx.captured_queries) == 2


def test_expired_counter_starts_again(counters):
    counters.add("k", 1, 60)
    counters.incr("k")
    RateCounter.objects.filter(key__endswith="k").update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert counters.get("k") is None
    with pytest.raises(ValueError):
        counters.incr("k")
    assert counters.add("k", 1, 60) is True
    assert counters.get("k") == 1


def test_timeouts_are_relative_seconds(counters):
    counters.add("short", 1, 60)
    expires = RateCounter.objects.get(key__endswith="short").expires
    assert timezone.now() + dt.timedelta(seconds=50) < expires < timezone.now() + dt.timedelta(seconds=70)
    counters.add("gone", 1, 0)  # 0: expires at once
    assert counters.get("gone") is None


def test_set_delete_touch_and_integers_only(counters):
    counters.set("k", 10, 60)
    assert counters.get("k") == 10
    assert counters.touch("k", 120) is True
    assert counters.delete("k") is True and counters.get("k") is None
    with pytest.raises(TypeError):
        counters.set("k", "text", 60)
    counters.set("forever", 1, None)
    assert counters.get("forever") == 1


def test_expired_rows_are_culled(counters, monkeypatch):
    monkeypatch.setattr("xaso.core.counters.CULL_EVERY", 2)
    counters.add("old", 1, 60)
    RateCounter.objects.filter(key__endswith="old").update(expires=timezone.now() - dt.timedelta(seconds=1))
    counters.add("new", 1, 60)
    assert not RateCounter.objects.filter(key__endswith="old").exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_are_not_lost(counters):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs real concurrent connections")
    counters.add("k", 0, 60)

    def bump():
        from django.db import connections

        for _ in range(25):
            counters.incr("k")
        connections.close_all()

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counters.get("k") == 100


def test_rate_limit_uses_the_counter_store(settings):
    """With the production setting (no CACHE_URL), django-ratelimit counts in this store."""
    from django.core.cache import caches
    from django_ratelimit.core import get_usage
    from django.test import RequestFactory

    settings.CACHES = {**settings.CACHES, "ratelimit": {"BACKEND": "xaso.core.counters.CounterCache"}}
    assert isinstance(caches["ratelimit"], CounterCache)
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    counts = [get_usage(request, group="g", key="ip", rate="2/m", increment=True) for _ in range(3)]
    assert [u["should_limit"] for u in counts] == [False, False, True]
    assert RateCounter.objects.count() == 1



def test_counter_table_is_unlogged_on_postgresql():
    """Counts skip the write-ahead log on PostgreSQL (migration 0006): a crash of the
    database server only resets the limits."""
    if connection.vendor != "postgresql":
        pytest.skip("UNLOGGED tables are a PostgreSQL feature")
    with connection.cursor() as cur:
        cur.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [RateCounter._meta.db_table])
        assert cur.fetchone() == ("u",)
