from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Message


def enqueue(*, channel: str, recipient: str, body: str, subject: str = "", event: str = "", dedup_key: str | None = None) -> Message:
    """Queue a message in the caller's transaction. With ``dedup_key`` the same message is
    queued at most once (a replayed action does not notify twice)."""
    if dedup_key:
        existing = Message.objects.filter(dedup_key=dedup_key).first()
        if existing:
            return existing
    try:
        with transaction.atomic():
            return Message.objects.create(
                channel=channel,
                recipient=recipient,
                subject=subject,
                body=body,
                event=event,
                dedup_key=dedup_key,
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return Message.objects.get(dedup_key=dedup_key)


def enqueue_sms(phone: str, body: str, *, event: str = "", dedup_key: str | None = None) -> Message:
    return enqueue(channel=Message.Channel.SMS, recipient=phone, body=body, event=event, dedup_key=dedup_key)


def enqueue_email(address: str, subject: str, body: str, *, event: str = "", dedup_key: str | None = None) -> Message:
    return enqueue(channel=Message.Channel.EMAIL, recipient=address, subject=subject, body=body, event=event, dedup_key=dedup_key)
