"""Every state change of the outbox: queue a message (in the caller's transaction), claim
due messages, record the outcome of a delivery attempt, put messages back in the queue.

Delivery is at-most-once per claim: a worker claims a batch in a short transaction
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the transaction starts with
``BEGIN IMMEDIATE`` and so holds the write lock), marks the rows SENDING with a lease, then
sends outside any transaction, then writes the outcome only if it still holds the claim.
Two workers never hold the same message. If a worker dies after sending but before
writing the outcome, the message is retried after the lease expires, with the same
idempotency key (``client_ref``), so a gateway that honours it does not deliver twice.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import backends, policy
from .models import Message

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------


def max_attempts() -> int:
    return int(getattr(settings, "XASO_NOTIFY_MAX_ATTEMPTS", policy.DEFAULT_MAX_ATTEMPTS))


def backoff_schedule() -> tuple:
    return tuple(getattr(settings, "XASO_NOTIFY_BACKOFF", policy.DEFAULT_BACKOFF))


def lease_seconds(batch: int) -> float:
    timeout = float(getattr(settings, "XASO_SMS_GATEWAY_TIMEOUT", 10))
    return max(float(getattr(settings, "XASO_NOTIFY_LEASE_SECONDS", 300)), batch * (timeout + 5))


def use_tasks() -> bool:
    return bool(getattr(settings, "XASO_NOTIFY_USE_TASKS", True))


# ---------------------------------------------------------------------------
# Queueing
# ---------------------------------------------------------------------------


def enqueue(
    *,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    event: str = "",
    dedup_key: str | None = None,
    sensitive: bool = False,
    returning: bool = True,
) -> Message:
    """Queue a message in the caller's transaction. With ``dedup_key`` the same message is
    queued at most once (a replayed action does not notify twice); ``returning=False`` skips
    reading the stored row back (the returned object then has no primary key). After the
    transaction commits, the background worker is woken up (``xaso db_worker``)."""
    message = Message(
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        event=event,
        dedup_key=dedup_key,
        sensitive=sensitive,
        next_attempt_at=timezone.now(),
    )
    if dedup_key:
        # One INSERT … ON CONFLICT DO NOTHING (INSERT OR IGNORE on SQLite): a replay queues
        # nothing and never fails the caller's transaction.
        Message.objects.bulk_create([message], ignore_conflicts=True)
        schedule_worker()
        return Message.objects.get(dedup_key=dedup_key) if returning else message
    message.save(force_insert=True)
    schedule_worker()
    return message


def enqueue_sms(
    phone: str, body: str, *, event: str = "", dedup_key: str | None = None, sensitive: bool = False, returning: bool = True
) -> Message:
    return enqueue(
        channel=Message.Channel.SMS, recipient=phone, body=body, event=event, dedup_key=dedup_key, sensitive=sensitive, returning=returning
    )


def enqueue_email(
    address: str, subject: str, body: str, *, event: str = "", dedup_key: str | None = None, sensitive: bool = False, returning: bool = True
) -> Message:
    return enqueue(
        channel=Message.Channel.EMAIL,
        recipient=address,
        subject=subject,
        body=body,
        event=event,
        dedup_key=dedup_key,
        sensitive=sensitive,
        returning=returning,
    )


def _wake_worker(run_after: dt.datetime | None = None):
    """Enqueue the django-tasks job that sends due messages. Never raises: a message that
    misses its wake-up is still picked up by the next run (or ``xaso notifications send``)."""
    try:
        from .tasks import send_notifications

        task = send_notifications.using(run_after=run_after) if run_after else send_notifications
        task.enqueue()
    except Exception:  # pragma: no cover - depends on the task backend's health
        logger.exception("could not enqueue the notification task")


def wake_coalesce_seconds() -> float:
    return float(getattr(settings, "XASO_NOTIFY_WAKE_COALESCE_SECONDS", 1.0))


_wake_lock = threading.Lock()
_wake_state = {"immediate": None, "delayed": None}


def _coalesced_wake():
    """Wake the worker after a commit, at most twice per ``XASO_NOTIFY_WAKE_COALESCE_SECONDS``
    per process: the first commit of a window wakes it at once; later commits in the window
    share one wake-up queued for the window's end (each run sends every due message, so
    nothing waits longer than the window plus the worker's poll interval). Without this,
    every committed intake would add a task row of its own."""
    window = wake_coalesce_seconds()
    if window <= 0:
        _wake_worker()
        return
    now = timezone.now()
    with _wake_lock:
        delayed, immediate = _wake_state["delayed"], _wake_state["immediate"]
        if delayed is not None and delayed > now:
            return  # a wake-up that runs after this commit is already queued
        if immediate is None or (now - immediate).total_seconds() >= window:
            _wake_state["immediate"], run_after = now, None
        else:
            run_after = _wake_state["delayed"] = immediate + dt.timedelta(seconds=window)
    _wake_worker(run_after=run_after)


def schedule_worker() -> None:
    """Wake the worker once the current transaction commits (once per transaction)."""
    if not use_tasks():
        return
    if any(len(entry) > 1 and entry[1] is _coalesced_wake for entry in connection.run_on_commit):
        return
    transaction.on_commit(_coalesced_wake, robust=True)


# ---------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------


@dataclass
class SendStats:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    lost_claims: int = 0
    next_due: str | None = None

    def as_dict(self):
        return asdict(self)


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:100]


def due_messages(now: dt.datetime):
    return Message.objects.filter(
        Q(status__in=[Message.Status.PENDING, Message.Status.FAILED], next_attempt_at__lte=now)
        | Q(status=Message.Status.PENDING, next_attempt_at__isnull=True)
        | Q(status=Message.Status.SENDING, locked_until__lt=now)
    )


def claim_due(batch: int, worker_id: str, now: dt.datetime | None = None) -> list[Message]:
    """Claim up to ``batch`` due messages for ``worker_id`` (oldest due first)."""
    now = now or timezone.now()
    with transaction.atomic():
        qs = due_messages(now).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("id", flat=True)[:batch])
        if not ids:
            return []
        due_messages(now).filter(id__in=ids).update(
            status=Message.Status.SENDING,
            locked_by=worker_id,
            locked_until=now + dt.timedelta(seconds=lease_seconds(batch)),
            attempts=F("attempts") + 1,
        )
        return list(Message.objects.filter(id__in=ids, locked_by=worker_id, status=Message.Status.SENDING).order_by("next_attempt_at", "id"))


def backend_for(message: Message, cache: dict):
    if message.channel not in cache:
        if message.channel == Message.Channel.SMS:
            cache[message.channel] = backends.sms_backend()
        elif message.channel == Message.Channel.EMAIL:
            cache[message.channel] = backends.email_backend()
        else:
            raise backends.PermanentError(f"unknown channel {message.channel!r}")
    return cache[message.channel]


def deliver(message: Message, worker_id: str, cache: dict | None = None, now: dt.datetime | None = None) -> str:
    """Send one claimed message and record the outcome. Returns the new status."""
    cache = {} if cache is None else cache
    still_mine = Message.objects.filter(
        pk=message.pk, status=Message.Status.SENDING, locked_by=worker_id, locked_until__gt=now or timezone.now()
    ).exists()
    if not still_mine:
        # The claim expired (this worker stalled) and another worker may own it now.
        logger.warning("message %s: claim lost before sending; skipped", message.pk)
        return ""
    error: backends.DeliveryError | None = None
    provider_id = ""
    try:
        provider_id = backend_for(message, cache).send(message) or ""
    except backends.DeliveryError as exc:
        error = exc
    except Exception as exc:  # an unexpected bug in a backend must not kill the worker
        logger.exception("notification backend crashed on message %s", message.pk)
        error = backends.TransientError(f"{type(exc).__name__}: {exc}")
    now = now or timezone.now()
    fields: dict = {"locked_by": "", "locked_until": None}
    if error is None:
        fields.update(status=Message.Status.SENT, sent_at=now, provider_id=provider_id[:128], last_error="", next_attempt_at=None)
    elif isinstance(error, backends.PermanentError) or policy.gives_up(message.attempts, max_attempts()):
        fields.update(status=Message.Status.DEAD, last_error=str(error), next_attempt_at=None)
    else:
        delay = policy.retry_delay(message.attempts, backoff_schedule(), error.retry_after)
        fields.update(status=Message.Status.FAILED, last_error=str(error), next_attempt_at=now + dt.timedelta(seconds=delay))
    if message.sensitive and fields["status"] in (Message.Status.SENT, Message.Status.DEAD):
        fields["body"] = Message.ERASED_BODY
    updated = Message.objects.filter(pk=message.pk, status=Message.Status.SENDING, locked_by=worker_id).update(**fields)
    if not updated:
        logger.warning("message %s: claim lost before the outcome (%s) was recorded", message.pk, fields["status"])
        return ""
    if error is not None:
        logger.warning("message %s attempt %s: %s → %s", message.pk, message.attempts, error, fields["status"])
    return fields["status"]


def send_due(batch: int = 50, worker_id: str | None = None, now: dt.datetime | None = None, max_batches: int | None = None) -> SendStats:
    """Claim and send due messages, batch after batch, until none is due (or
    ``max_batches`` batches were processed)."""
    worker_id = worker_id or new_worker_id()
    stats = SendStats()
    cache: dict = {}
    rounds = 0
    while max_batches is None or rounds < max_batches:
        rounds += 1
        claimed = claim_due(batch, worker_id, now)
        if not claimed:
            break
        stats.claimed += len(claimed)
        for message in claimed:
            status = deliver(message, worker_id, cache, now)
            if status == Message.Status.SENT:
                stats.sent += 1
            elif status == Message.Status.FAILED:
                stats.failed += 1
            elif status == Message.Status.DEAD:
                stats.dead += 1
            else:
                stats.lost_claims += 1
    next_due = (
        Message.objects.filter(status=Message.Status.FAILED).order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    )
    stats.next_due = next_due.isoformat() if next_due else None
    return stats


# ---------------------------------------------------------------------------
# Operator actions
# ---------------------------------------------------------------------------


def retry_now(messages, reason: str = "") -> int:
    """Put failed or dead messages back in the queue for an immediate attempt, with a
    fresh retry budget. Audited. Returns how many were re-queued."""
    from xaso.core import audit
    from xaso.core.models import AuditRecord

    now = timezone.now()
    count = 0
    with transaction.atomic():
        ids = [m.pk for m in messages]
        for message in Message.objects.select_for_update().filter(pk__in=ids, status__in=Message.RETRYABLE).order_by("id"):
            if message.sensitive and message.body == Message.ERASED_BODY:
                continue  # nothing left to send
            old_status = message.status
            Message.objects.filter(pk=message.pk).update(
                status=Message.Status.PENDING, next_attempt_at=now, attempts=0, locked_by="", locked_until=None
            )
            audit.record(
                AuditRecord.Action.ACTION,
                message,
                verb="notifications.retry_now",
                changes={"status": [old_status, Message.Status.PENDING], "attempts": [message.attempts, 0]},
                reason=reason,
            )
            count += 1
        if count:
            schedule_worker()
    return count
