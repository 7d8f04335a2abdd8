"""Who is acting, from where: set per request by the middleware, or by a job/command
with ``acting_as``. Read by the audit trail."""
import contextvars
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    username: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    source: str = "web"  # web | api | job | command


_current = contextvars.ContextVar("xaso_actor", default=Actor(source="command"))


def current_actor() -> Actor:
    return _current.get()


@contextmanager
def acting_as(actor: Actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def set_actor(actor: Actor):
    return _current.set(actor)


def reset_actor(token):
    _current.reset(token)


# A per-request memo for facts that cannot change while one request runs (the official's
# memberships and unit scopes): set by ``RequestContextMiddleware``; outside a request
# (commands, jobs, tests calling services directly) there is none and nothing is memoised.
_memo = contextvars.ContextVar("xaso_request_memo", default=None)


def request_memo(key, compute):
    """``compute()``, remembered under ``key`` until the current request ends."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def start_request_memo():
    return _memo.set({})


def end_request_memo(token):
    _memo.reset(token)
