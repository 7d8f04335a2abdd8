import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from xaso.core.models import AuditRecord
from xaso.notifications import services
from xaso.notifications.backends import PermanentError, TransientError
from xaso.notifications.models import Message

pytestmark = pytest.mark.django_db

S = Message.Status


def later(seconds):
    return timezone.now() + dt.timedelta(seconds=seconds)


def test_sent_once_and_marked(recording):
    message = services.enqueue_sms("0912345678", "Hồ sơ của ông/bà đã được tiếp nhận.", event="dossier.received")
    stats = services.send_due()
    assert (stats.claimed, stats.sent) == (1, 1)
    message.refresh_from_db()
    assert message.status == S.SENT and message.provider_id == f"fake-{message.pk}" and message.sent_at and message.attempts == 1
    assert recording.sent == [message.pk]
    assert services.send_due().claimed == 0  # nothing sent twice
    assert recording.sent == [message.pk]


def test_rolled_back_message_is_never_sent(recording):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.enqueue_sms("0912345678", "never")
            raise RuntimeError("the business change failed")
    assert not Message.objects.exists()
    assert services.send_due().claimed == 0 and recording.sent == []


def test_dedup_key_queues_a_replayed_event_once(recording):
    first = services.enqueue_sms("0912345678", "Hồ sơ H56.01-260101-0001 đã có kết quả.", event="dossier.done", dedup_key="dossier.done:1")
    again = services.enqueue_sms("0912345678", "Hồ sơ H56.01-260101-0001 đã có kết quả.", event="dossier.done", dedup_key="dossier.done:1")
    assert again.pk == first.pk and Message.objects.count() == 1
    services.send_due()
    assert services.enqueue_sms("0912345678", "again", dedup_key="dossier.done:1").pk == first.pk
    services.send_due()
    assert recording.sent == [first.pk]


def test_transient_failure_retries_with_backoff_then_sent(recording):
    message = services.enqueue_sms("0912345678", "x")
    recording.fail_with = TransientError("gateway down")
    now = timezone.now()
    stats = services.send_due(now=now)
    assert (stats.failed, stats.sent) == (1, 0)
    message.refresh_from_db()
    assert message.status == S.FAILED and message.attempts == 1 and "gateway down" in message.last_error
    assert message.next_attempt_at == now + dt.timedelta(seconds=60)
    assert services.send_due(now=now + dt.timedelta(seconds=59)).claimed == 0  # not due yet
    stats = services.send_due(now=now + dt.timedelta(seconds=61))
    message.refresh_from_db()
    assert message.status == S.FAILED and message.attempts == 2
    assert message.next_attempt_at == now + dt.timedelta(seconds=61 + 300)
    recording.fail_with = None
    services.send_due(now=now + dt.timedelta(seconds=400))
    message.refresh_from_db()
    assert message.status == S.SENT and message.last_error == "" and message.attempts == 3
    assert recording.sent == [message.pk]


def test_dead_after_max_attempts(recording, settings):
    settings.XASO_NOTIFY_MAX_ATTEMPTS = 3
    settings.XASO_NOTIFY_BACKOFF = [10]
    message = services.enqueue_sms("0912345678", "x")
    recording.fail_with = TransientError("still down")
    for step in range(3):
        services.send_due(now=later(step * 11))
    message.refresh_from_db()
    assert message.status == S.DEAD and message.attempts == 3 and message.next_attempt_at is None
    assert services.send_due(now=later(10_000)).claimed == 0


def test_permanent_failure_is_dead_at_once(recording):
    message = services.enqueue_sms("0912345678", "x")
    recording.fail_with = PermanentError("invalid number")
    stats = services.send_due()
    assert stats.dead == 1
    message.refresh_from_db()
    assert message.status == S.DEAD and message.attempts == 1 and "invalid number" in message.last_error


def test_backend_crash_is_a_transient_failure(recording):
    message = services.enqueue_sms("0912345678", "x")
    recording.fail_with = KeyError("bug")
    services.send_due()
    message.refresh_from_db()
    assert message.status == S.FAILED and "KeyError" in message.last_error


def test_claims_are_exclusive_and_expire(recording):
    ids = [services.enqueue_sms("0912345678", f"m{i}").pk for i in range(5)]
    a = services.claim_due(3, "worker-a")  # lease of 300 s
    b = services.claim_due(3, "worker-b", now=later(200))
    assert {m.pk for m in a}.isdisjoint({m.pk for m in b}) and len(a) + len(b) == 5
    assert services.claim_due(3, "worker-c") == []
    # worker-a dies; after its lease, its messages are due again, and a's late outcome is ignored
    taken = services.claim_due(10, "worker-c", now=later(400))
    assert {m.pk for m in taken} == {m.pk for m in a}
    assert services.deliver(a[0], "worker-a") == ""  # the stalled worker does not send
    assert recording.sent == []
    assert Message.objects.get(pk=a[0].pk).status == S.SENDING
    for m in taken:
        services.deliver(m, m.locked_by, now=later(401))
    for m in b:
        services.deliver(m, m.locked_by, now=later(201))
    assert sorted(recording.sent) == sorted(ids)
    assert all(m.status == S.SENT for m in Message.objects.all())


def test_sensitive_body_erased_after_sending(recording):
    message = services.enqueue_sms("0912345678", "Mã đăng nhập: 482913", event="login.code", sensitive=True)
    assert "482913" not in str(message)
    services.send_due()
    message.refresh_from_db()
    assert message.status == S.SENT and message.body == Message.ERASED_BODY


def test_email_through_django_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = services.enqueue_email("dan@example.vn", "Kết quả hồ sơ", "Hồ sơ đã có kết quả.", event="dossier.done")
    services.send_due()
    message.refresh_from_db()
    assert message.status == S.SENT
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dan@example.vn"] and mail.outbox[0].subject == "Kết quả hồ sơ"
    assert mail.outbox[0].extra_headers["X-Xaso-Message-Id"] == f"xaso-{message.pk}"


def test_console_backend_prints(settings, capsys):
    settings.XASO_SMS_BACKEND = "xaso.notifications.backends.ConsoleSMSBackend"
    message = services.enqueue_sms("0912345678", "Xin chào")
    services.send_due()
    assert "[SMS] to 0912345678: Xin chào" in capsys.readouterr().out
    assert Message.objects.get(pk=message.pk).status == S.SENT


def test_retry_now_requeues_dead_and_audits(recording):
    message = services.enqueue_sms("0912345678", "x")
    recording.fail_with = PermanentError("refused")
    services.send_due()
    sent = services.enqueue_sms("0912345679", "y")
    recording.fail_with = None
    services.send_due()
    assert services.retry_now([message, Message.objects.get(pk=sent.pk)], reason="gateway fixed") == 1
    message.refresh_from_db()
    assert message.status == S.PENDING and message.attempts == 0
    rec = AuditRecord.objects.get(verb="notifications.retry_now")
    assert rec.object_id == str(message.pk) and rec.changes["status"] == ["dead", "pending"] and rec.reason == "gateway fixed"
    services.send_due()
    assert recording.sent.count(message.pk) == 1 and recording.sent.count(sent.pk) == 1


def test_commit_wakes_the_task_worker(recording, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            services.enqueue_sms("0912345678", "a")
            services.enqueue_sms("0912345678", "b")
    assert len(callbacks) == 1  # one wake-up per transaction
    assert DBTaskResult.objects.get().task_path == "xaso.notifications.tasks.send_notifications"


@pytest.mark.django_db(transaction=True)
def test_db_worker_sends_after_commit(recording):
    """End to end: commit → task row → ``xaso db_worker`` → SENT."""
    with transaction.atomic():
        services.enqueue_sms("0912345678", "a")
        services.enqueue_sms("0912345678", "b")
    assert Message.objects.filter(status=S.PENDING).count() == 2
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO(), stderr=io.StringIO())
    assert Message.objects.filter(status=S.SENT).count() == 2 and len(recording.sent) == 2


def test_failed_task_run_schedules_the_next_attempt(recording, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from xaso.notifications.tasks import send_notifications

    services.enqueue_sms("0912345678", "a")
    recording.fail_with = TransientError("down")
    result = send_notifications.call()
    assert result["failed"] == 1
    row = DBTaskResult.objects.get()
    assert row.run_after is not None and row.run_after > timezone.now() + dt.timedelta(seconds=50)


def test_send_command(recording):
    services.enqueue_sms("0912345678", "a")
    out = io.StringIO()
    call_command("notifications", "send", "--batch", "10", stdout=out)
    assert "claimed 1, sent 1" in out.getvalue()


def test_status_command(recording):
    services.enqueue_sms("0912345678", "a")
    Message.objects.filter().update(next_attempt_at=later(-3600))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("notifications", "status", "--max-wait", "600", stdout=out, stderr=err)
    assert exc.value.code == 2 and "pending 1" in out.getvalue() and "is a worker running" in err.getvalue()
    services.send_due()
    out = io.StringIO()
    call_command("notifications", "status", stdout=out)
    assert "sent 1" in out.getvalue() and "no message is waiting" in out.getvalue()


def test_wakeups_are_coalesced_per_window(settings):
    """Many commits in one window queue one immediate and one delayed wake-up, not one each."""
    from django_tasks_db.models import DBTaskResult

    settings.XASO_NOTIFY_WAKE_COALESCE_SECONDS = 30
    for _ in range(5):
        services._coalesced_wake()  # what each transaction's on_commit runs
    soon = timezone.now() + dt.timedelta(seconds=40)
    delayed = [r.run_after for r in DBTaskResult.objects.all() if r.run_after and timezone.now() + dt.timedelta(seconds=20) < r.run_after < soon]
    assert DBTaskResult.objects.count() == 2 and len(delayed) == 1  # one now (no run_after), one at the window's end
    # A window of 0 wakes the worker after every commit.
    settings.XASO_NOTIFY_WAKE_COALESCE_SECONDS = 0
    services._coalesced_wake()
    services._coalesced_wake()
    assert DBTaskResult.objects.count() == 4


def test_dedup_key_queues_once_without_breaking_the_transaction():
    with transaction.atomic():
        a = services.enqueue_sms("0912345678", "x", dedup_key="k1")
        b = services.enqueue_sms("0912345678", "x again", dedup_key="k1")
        c = services.enqueue_sms("0912345678", "x once more", dedup_key="k1", returning=False)
        assert a.pk == b.pk and c.pk is None
    assert Message.objects.filter(dedup_key="k1").count() == 1
    assert Message.objects.get(dedup_key="k1").body == "x"
