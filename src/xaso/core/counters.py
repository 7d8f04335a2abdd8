"""A cache backend for rate-limit counters, shared by every server process through the
database (the product must not require Redis).

django-ratelimit counts with ``cache.add(key, 1, timeout)`` then ``cache.incr(key)``.
Django's own database cache does each of these in four to six statements (a ``COUNT(*)`` of
the table to decide on culling, a transaction, a read, a write), which made the per-IP limit
of the public lookup cost more than the lookup itself. Here each is one atomic statement on
``core_ratecounter`` (``INSERT … ON CONFLICT … RETURNING`` / ``UPDATE … RETURNING``, on
PostgreSQL and on SQLite ≥ 3.35), correct under concurrency without a transaction, and
expired rows are deleted once every ``CULL_EVERY`` adds per process.

Only integer values are stored: it is a counter store, not a general cache (``CACHE_URL``
still chooses the general cache; with ``CACHE_URL`` set, rate limits use that instead).
"""
from __future__ import annotations

import datetime as dt
import threading

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import connections, router
from django.utils import timezone

CULL_EVERY = 1000


class CounterCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)
        self._adds = 0
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _model():
        from .models import RateCounter

        return RateCounter

    def _cursor(self):
        model = self._model()
        connection = connections[router.db_for_write(model)]
        return connection, connection.cursor()

    def _expiry(self, timeout):
        # BaseCache.get_backend_timeout gives an absolute Unix time (None: never expires).
        at = self.get_backend_timeout(timeout)
        if at is None:
            return dt.datetime(9999, 12, 31, tzinfo=dt.timezone.utc)
        return dt.datetime.fromtimestamp(at, tz=dt.timezone.utc)

    @staticmethod
    def _int(value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("CounterCache stores integers only.")
        return value

    @staticmethod
    def _db(connection, value):
        return connection.ops.adapt_datetimefield_value(value)

    def _table(self, connection):
        return connection.ops.quote_name(self._model()._meta.db_table)

    # ------------------------------------------------------------------ cache API

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        value = self._int(value)
        connection, cur = self._cursor()
        table = self._table(connection)
        now = timezone.now()
        with cur:
            # Inserted, or an expired counter replaced: a row comes back. A live counter
            # is left alone: nothing comes back.
            cur.execute(
                f'INSERT INTO {table} ("key", "count", "expires") VALUES (%s, %s, %s) '
                f'ON CONFLICT ("key") DO UPDATE SET "count" = excluded."count", "expires" = excluded."expires" '
                f'WHERE {table}."expires" <= %s RETURNING "key"',
                [key, value, self._db(connection, self._expiry(timeout)), self._db(connection, now)],
            )
            added = cur.fetchone() is not None
        self._maybe_cull(now)
        return added

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        connection, cur = self._cursor()
        with cur:
            cur.execute(
                f'UPDATE {self._table(connection)} SET "count" = "count" + %s WHERE "key" = %s AND "expires" > %s RETURNING "count"',
                [self._int(delta), key, self._db(connection, timezone.now())],
            )
            row = cur.fetchone()
        if row is None:
            raise ValueError(f"Key '{key}' not found.")
        return row[0]

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        connection, cur = self._cursor()
        with cur:
            cur.execute(f'SELECT "count" FROM {self._table(connection)} WHERE "key" = %s AND "expires" > %s', [key, self._db(connection, timezone.now())])
            row = cur.fetchone()
        return default if row is None else row[0]

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        connection, cur = self._cursor()
        with cur:
            cur.execute(
                f'INSERT INTO {self._table(connection)} ("key", "count", "expires") VALUES (%s, %s, %s) '
                f'ON CONFLICT ("key") DO UPDATE SET "count" = excluded."count", "expires" = excluded."expires"',
                [key, self._int(value), self._db(connection, self._expiry(timeout))],
            )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        connection, cur = self._cursor()
        with cur:
            cur.execute(f'UPDATE {self._table(connection)} SET "expires" = %s WHERE "key" = %s AND "expires" > %s', [self._db(connection, self._expiry(timeout)), key, self._db(connection, timezone.now())])
            return cur.rowcount > 0

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        connection, cur = self._cursor()
        with cur:
            cur.execute(f"DELETE FROM {self._table(connection)} WHERE \"key\" = %s", [key])
            return cur.rowcount > 0

    def has_key(self, key, version=None):
        return self.get(key, version=version) is not None

    def clear(self):
        self._model().objects.all().delete()

    def _maybe_cull(self, now):
        with self._lock:
            self._adds += 1
            due = self._adds % CULL_EVERY == 0
        if due:
            self._model().objects.filter(expires__lte=now).delete()
