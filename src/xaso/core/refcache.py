"""Short-lived, per-process memo for small reference lists shown in filters (field names,
unit names): they change a few times a year, while every worklist page needs them.

An entry lives ``XASO_REFERENCE_CACHE_SECONDS`` (default 30 s; 0 turns the memo off), so an
edit in the admin shows in every server process's filters within that time. Only display
lists belong here, never anything a permission or a deadline depends on.
"""
from __future__ import annotations

import threading
import time

from django.conf import settings

_lock = threading.Lock()
_store: dict = {}


def ttl_memo(key, compute):
    seconds = float(getattr(settings, "XASO_REFERENCE_CACHE_SECONDS", 30))
    if seconds <= 0:
        return compute()
    now = time.monotonic()
    with _lock:
        hit = _store.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    with _lock:
        _store[key] = (now + seconds, value)
    return value


def clear():
    with _lock:
        _store.clear()
