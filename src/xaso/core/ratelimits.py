"""Rate limits that count every HTTP method, per address, per account and per key.

The one helper every view uses for a limit (public lookups, uploads, login codes of other
apps…), over django-ratelimit and the shared counter store (``RATELIMIT_USE_CACHE``,
``xaso.core.counters``):

    from xaso.core.ratelimits import Limit, over_limit

    if over_limit(request, "dossier-lookup", [Limit("ip", settings.XASO_LOOKUP_RATE)]):
        ...  # 429

- Every request counts, whatever its method: a limit counted on ``GET`` only was walked
  around with ``HEAD`` (the same answer, without the count).
- ``Limit(by, rate, value)``: ``by="ip"`` counts the client's address (as the audit trail
  sees it: ``core.middleware.client_ip``), ``"user"`` the account (the address when
  anonymous), ``"key"`` any ``value`` the caller names (a dossier code, a phone number).
  ``rate`` in django-ratelimit's syntax (``"30/m"``, ``"5/h"``, ``"10/d"``).
- Every limit of the list is counted (a request over the address's limit still counts for
  the key), and the request is refused if any is exceeded.
- ``exhausted`` only asks whether a limit is used up (e.g. a dossier code that had too many
  wrong keys), and ``count`` adds one later (only the failures count).

Counters live in fixed windows of the rate's period; a client over the limit waits for the
next window.
"""
from __future__ import annotations

from dataclasses import dataclass

from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from .middleware import client_ip


@dataclass(frozen=True)
class Limit:
    by: str  # "ip", "user" or "key"
    rate: str
    value: str = ""


def _key_value(request, limit: Limit) -> str:
    if limit.by == "ip":
        return f"ip:{client_ip(request) or ''}"
    if limit.by == "user":
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return f"ip:{client_ip(request) or ''}"
    if limit.by == "key":
        return f"key:{limit.value}"
    raise ValueError(f"unknown rate limit kind {limit.by!r}")


def _usage(request, group: str, limit: Limit, increment: bool):
    value = _key_value(request, limit)
    return get_usage(
        request,
        group=f"{group}:{limit.by}",
        key=lambda _group, _request: value,
        rate=limit.rate,
        method=ALL,
        increment=increment,
    )


def over_limit(request, group: str, limits: list[Limit], *, increment: bool = True) -> bool:
    """Count this request against each limit of ``group`` (unless ``increment`` is false)
    and say whether any is exceeded."""
    over = False
    for limit in limits:
        if not limit.rate:
            continue
        usage = _usage(request, group, limit, increment)
        if usage is not None and usage["should_limit"]:
            over = True
    return over


def exhausted(request, group: str, limit: Limit) -> bool:
    """Whether ``limit`` of ``group`` is used up (``rate``'s number of counts reached in this
    window), without counting this request: "at most N failures, then wait"."""
    if not limit.rate:
        return False
    usage = _usage(request, group, limit, increment=False)
    return usage is not None and usage["count"] >= usage["limit"]


def count(request, group: str, limits: list[Limit]) -> None:
    """Add one to each limit of ``group`` (e.g. a failed attempt)."""
    over_limit(request, group, limits, increment=True)
