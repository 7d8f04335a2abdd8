import pytest
from django_otp.plugins.otp_static.models import StaticDevice

from xaso.core.models import AuditRecord, User
from xaso.notifications import services
from xaso.notifications.backends import PermanentError
from xaso.notifications.models import Message

pytestmark = pytest.mark.django_db

URL = "/quan-tri/notifications/message/"


@pytest.fixture
def admin_client(client, settings):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    user = User.objects.create_superuser("root", password="Mat-khau-dai-123")
    client.force_login(user)
    device = StaticDevice.objects.create(user=user, name="backup")  # administrators need 2FA
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def test_list_filters_and_hidden_sensitive_body(admin_client, recording):
    services.enqueue_sms("0912345678", "Hồ sơ đã có kết quả", event="dossier.done")
    services.enqueue_sms("0912345678", "Mã đăng nhập 482913", event="login.code", sensitive=True)
    page = admin_client.get(URL + "?status__exact=pending")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hồ sơ đã có kết quả" in html and "482913" not in html
    assert admin_client.get(URL + "add/").status_code == 403


def test_retry_now_action(admin_client, recording):
    message = services.enqueue_sms("0912345678", "x")
    recording.fail_with = PermanentError("refused")
    services.send_due()
    assert Message.objects.get(pk=message.pk).status == Message.Status.DEAD
    response = admin_client.post(URL, {"action": "retry_now", "_selected_action": [message.pk]}, follow=True)
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING and message.attempts == 0
    rec = AuditRecord.objects.get(verb="notifications.retry_now")
    assert rec.actor_username == "root"
    recording.fail_with = None
    services.send_due()
    assert Message.objects.get(pk=message.pk).status == Message.Status.SENT
