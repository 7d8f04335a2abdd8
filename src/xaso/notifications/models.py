"""The transactional outbox: a message is a row written in the same transaction as the
change that causes it; a worker sends it later, with retries. Nothing is sent for a
rolled-back change and nothing is lost while a gateway is down."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Gave up")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"))
    event = models.CharField(_("event"), max_length=64, blank=True, help_text=_("What caused the message."))
    # Idempotency: the same event for the same object is queued once.
    dedup_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=128, blank=True)
    # A worker that claims a message holds it until ``locked_until``; if it dies, the
    # message becomes due again after that time.
    locked_by = models.CharField(_("claimed by worker"), max_length=100, blank=True)
    locked_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # Sensitive messages (e.g. one-time login codes) are hidden in the admin and their body
    # is erased once sent or given up.
    sensitive = models.BooleanField(_("sensitive content"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    # The state machine of a message: which status may follow which.
    TRANSITIONS = {
        Status.PENDING: {Status.SENDING},
        Status.FAILED: {Status.SENDING, Status.PENDING},
        # SENDING → SENDING: the claim expired and another worker took the message over.
        Status.SENDING: {Status.SENT, Status.FAILED, Status.DEAD, Status.SENDING},
        Status.DEAD: {Status.PENDING},
        Status.SENT: set(),
    }
    # Statuses from which "retry now" puts a message back in the queue.
    RETRYABLE = (Status.PENDING, Status.FAILED, Status.DEAD)
    ERASED_BODY = "[erased after delivery]"

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_msg_due_idx")]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject or self.display_body[:40]}"

    @property
    def display_body(self):
        return "••••••" if self.sensitive else self.body

    @classmethod
    def can_move(cls, old, new) -> bool:
        return new in cls.TRANSITIONS.get(old, set())
