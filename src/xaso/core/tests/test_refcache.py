"""The per-process memo of display lists (xaso.core.refcache)."""


def test_reference_lists_are_memoised_for_the_configured_time(settings, monkeypatch):
    from xaso.core import refcache

    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    settings.XASO_REFERENCE_CACHE_SECONDS = 30
    assert refcache.ttl_memo("k", compute) == 1 and refcache.ttl_memo("k", compute) == 1
    clock = [1000.0]
    monkeypatch.setattr(refcache.time, "monotonic", lambda: clock[0])
    refcache.clear()
    assert refcache.ttl_memo("k", compute) == 2
    clock[0] += 31
    assert refcache.ttl_memo("k", compute) == 3  # expired: read again
    settings.XASO_REFERENCE_CACHE_SECONDS = 0
    assert refcache.ttl_memo("k", compute) == 4 and refcache.ttl_memo("k", compute) == 5
