"""HTTPSMSBackend against the sandbox gateway on 127.0.0.1."""
import datetime as dt
import io
import json
import socket
import urllib.request

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from xaso.notifications import services
from xaso.notifications.backends import HTTPSMSBackend, PermanentError, TransientError
from xaso.notifications.models import Message
from xaso.notifications.sandbox import SandboxGateway

pytestmark = pytest.mark.django_db
S = Message.Status


def test_protocol_round_trip(gateway):
    message = services.enqueue_sms("0912 345 678", "Hồ sơ của ông/bà đã có kết quả, mời nhận tại Bộ phận Một cửa.")
    services.send_due()
    message.refresh_from_db()
    assert message.status == S.SENT and message.provider_id == "sbx-000001"
    assert gateway.messages == [
        {
            "id": "sbx-000001",
            "to": "+84912345678",
            "text": "Hồ sơ của ông/bà đã có kết quả, mời nhận tại Bộ phận Một cửa.",
            "sender": "UBND-NL",
            "client_ref": f"xaso-{message.pk}",
        }
    ]


def test_idempotency_key_prevents_a_second_delivery(gateway):
    message = services.enqueue_sms("0912345678", "x")
    backend = HTTPSMSBackend()
    first = backend.send(message)
    second = backend.send(message)  # e.g. a worker died before recording the outcome
    assert first == second and len(gateway.messages) == 1


def test_gateway_down_then_up(gateway, settings):
    message = services.enqueue_sms("0912345678", "x")
    gateway.mode = "unavailable"
    now = timezone.now()
    services.send_due(now=now)
    message.refresh_from_db()
    assert message.status == S.FAILED and "503" in message.last_error
    assert message.next_attempt_at == now + dt.timedelta(seconds=60)  # Retry-After 30 < first backoff step
    gateway.mode = "accept"
    services.send_due(now=now + dt.timedelta(seconds=61))
    message.refresh_from_db()
    assert message.status == S.SENT and len(gateway.messages) == 1


def test_gateway_unreachable_is_transient(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    settings.XASO_SMS_BACKEND = "xaso.notifications.backends.HTTPSMSBackend"
    settings.XASO_SMS_GATEWAY_URL = f"http://127.0.0.1:{port}/v1/messages"
    message = services.enqueue_sms("0912345678", "x")
    services.send_due()
    message.refresh_from_db()
    assert message.status == S.FAILED and "unreachable" in message.last_error


def test_timeout_is_transient(settings):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)  # accepts the connection but never answers
        backend = HTTPSMSBackend(url=f"http://127.0.0.1:{server.getsockname()[1]}/v1/messages", token="t", sender="X", timeout=0.3)
        message = services.enqueue_sms("0912345678", "x")
        with pytest.raises(TransientError):
            backend.send(message)


def test_rejection_is_permanent(gateway):
    message = services.enqueue_sms("0912345678", "x")
    gateway.mode = "reject"
    stats = services.send_due()
    message.refresh_from_db()
    assert stats.dead == 1 and message.status == S.DEAD and "400" in message.last_error and message.attempts == 1


def test_wrong_token_is_permanent(gateway, settings):
    settings.XASO_SMS_GATEWAY_TOKEN = "wrong"
    message = services.enqueue_sms("0912345678", "x")
    with pytest.raises(PermanentError, match="401"):
        HTTPSMSBackend().send(message)


def test_invalid_number_is_permanent_without_a_request(gateway):
    message = services.enqueue_sms("12345", "x")
    services.send_due()
    assert Message.objects.get(pk=message.pk).status == S.DEAD and gateway.requests == 0


def test_sandbox_validates_the_protocol(gateway):
    request = urllib.request.Request(
        gateway.url, data=json.dumps({"to": "0912", "text": ""}).encode(), method="POST",
        headers={"Authorization": "Bearer s3cret", "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(request, timeout=2)
    assert exc.value.code == 422
    assert set(json.loads(exc.value.read())["fields"]) == {"to", "text", "sender", "client_ref"}


def test_sandbox_is_loopback_only():
    with pytest.raises(ValueError):
        SandboxGateway("0.0.0.0", 0)
    with pytest.raises(CommandError):
        call_command("notifications", "sandbox-gateway", "--host", "0.0.0.0", "--port", "0", stdout=io.StringIO())


def test_redirect_is_not_followed():
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):  # pragma: no cover - must not be reached
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"id": "wrong"}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        backend = HTTPSMSBackend(url=f"http://127.0.0.1:{server.server_address[1]}/v1/messages", token="t", sender="X")
        with pytest.raises(PermanentError, match="302"):
            backend.send(services.enqueue_sms("0912345678", "x"))
    finally:
        server.shutdown()
        server.server_close()


def test_missing_gateway_url_keeps_messages_waiting(settings):
    settings.XASO_SMS_BACKEND = "xaso.notifications.backends.HTTPSMSBackend"
    settings.XASO_SMS_GATEWAY_URL = ""
    message = services.enqueue_sms("0912345678", "x")
    services.send_due()
    message.refresh_from_db()
    assert message.status == S.FAILED and "XASO_SMS_GATEWAY_URL" in message.last_error


def test_unaccented_mode(gateway, settings):
    settings.XASO_SMS_UNACCENTED = True
    services.enqueue_sms("0912345678", "Hồ sơ đã có kết quả")
    services.send_due()
    assert gateway.messages[0]["text"] == "Ho so da co ket qua"
