"""Delivery backends. A backend's ``send(message)`` returns the provider's message id, or
raises ``TransientError`` (try again later) or ``PermanentError`` (retrying cannot help).

SMS: ``settings.XASO_SMS_BACKEND`` names the class — ``ConsoleSMSBackend`` (development:
prints the message) or ``HTTPSMSBackend`` (a gateway speaking the JSON protocol described
in docs/notifications.md). E-mail goes through Django's e-mail backend (``EMAIL_URL``)."""
from __future__ import annotations

import http.client
import json
import logging
import smtplib
import socket
import sys
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from . import policy

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class TransientError(DeliveryError):
    """The gateway is down, slow or busy: try again later."""


class PermanentError(DeliveryError):
    """The request itself is refused (bad number, bad credentials …): do not retry."""


def client_ref(message) -> str:
    """The idempotency key of a message: stable across retries, unique per installation."""
    prefix = getattr(settings, "XASO_SMS_CLIENT_REF_PREFIX", "xaso-")
    return f"{prefix}{message.pk}"


class ConsoleSMSBackend:
    """Development backend: writes the SMS to standard output and reports it sent."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, message) -> str:
        self.stream.write(f"[SMS] to {message.recipient}: {message.body}\n")
        self.stream.flush()
        return f"console-{message.pk}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirected POST would be replayed as a GET without its body: refuse redirects so
    they surface as errors (a misconfigured gateway URL)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


class HTTPSMSBackend:
    """Posts ``{"to", "text", "sender", "client_ref"}`` as JSON to
    ``XASO_SMS_GATEWAY_URL`` with ``Authorization: Bearer XASO_SMS_GATEWAY_TOKEN`` and
    ``Idempotency-Key: <client_ref>``; reads the provider id from ``{"id": …}``."""

    def __init__(self, url=None, token=None, sender=None, timeout=None):
        self.url = url if url is not None else settings.XASO_SMS_GATEWAY_URL
        self.token = token if token is not None else settings.XASO_SMS_GATEWAY_TOKEN
        self.sender = sender if sender is not None else settings.XASO_SMS_SENDER
        self.timeout = float(timeout if timeout is not None else getattr(settings, "XASO_SMS_GATEWAY_TIMEOUT", 10))
        self.unaccented = bool(getattr(settings, "XASO_SMS_UNACCENTED", False))
        if not self.url:
            # A configuration gap: keep the messages waiting until the operator fixes it.
            raise TransientError("XASO_SMS_GATEWAY_URL is not set")

    def send(self, message) -> str:
        try:
            to = policy.normalise_phone(message.recipient)
        except policy.InvalidPhoneNumber:
            raise PermanentError(f"invalid phone number {message.recipient!r}") from None
        ref = client_ref(message)
        text = policy.strip_diacritics(message.body) if self.unaccented else message.body
        payload = {"to": to, "text": text, "sender": self.sender, "client_ref": ref}
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": ref,
                "User-Agent": "xaso-notifications/1",
            },
        )
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                status, body, headers = response.status, response.read(65536), response.headers
        except urllib.error.HTTPError as exc:
            status, body, headers = exc.code, exc.read(65536), exc.headers
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, http.client.HTTPException, OSError) as exc:
            raise TransientError(f"gateway unreachable: {getattr(exc, 'reason', exc)}") from None
        text = body.decode("utf-8", "replace")
        verdict = policy.classify_http_status(status)
        if verdict == policy.TRANSIENT:
            raise TransientError(f"gateway answered {status}: {text[:500]}", policy.parse_retry_after(headers.get("Retry-After")))
        if verdict == policy.PERMANENT:
            raise PermanentError(f"gateway refused with {status}: {text[:500]}")
        try:
            data = json.loads(text)
            provider_id = str(data.get("id") or "")
        except (ValueError, AttributeError):
            provider_id = ""
        if not provider_id:
            logger.warning("SMS gateway accepted message %s without an id: %s", message.pk, text[:200])
        return provider_id[:128]


class DjangoEmailBackend:
    """E-mail through Django's configured e-mail backend (``EMAIL_URL``)."""

    def send(self, message) -> str:
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"X-Xaso-Message-Id": client_ref(message)},
        )
        try:
            sent = email.send(fail_silently=False)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise PermanentError(f"e-mail refused: {exc}") from None
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentError(f"e-mail refused: {exc.smtp_code} {exc.smtp_error!r}") from None
            raise TransientError(f"e-mail server: {exc.smtp_code} {exc.smtp_error!r}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"e-mail server unreachable: {exc}") from None
        if not sent:
            raise TransientError("e-mail backend sent nothing")
        return ""


def sms_backend():
    return import_string(settings.XASO_SMS_BACKEND)()


def email_backend():
    return import_string(getattr(settings, "XASO_EMAIL_SENDER_BACKEND", "xaso.notifications.backends.DjangoEmailBackend"))()
