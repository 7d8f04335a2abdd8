"""A recording SMS backend for tests."""
import threading
import time

from xaso.notifications.backends import PermanentError, TransientError

lock = threading.Lock()
sent: list[int] = []
delay = 0.0
fail_with: Exception | None = None


def reset():
    global delay, fail_with
    with lock:
        sent.clear()
    delay = 0.0
    fail_with = None


class RecordingBackend:
    def send(self, message):
        if delay:
            time.sleep(delay)
        if fail_with is not None:
            raise fail_with
        with lock:
            sent.append(message.pk)
        return f"fake-{message.pk}"


__all__ = ["RecordingBackend", "PermanentError", "TransientError", "reset"]
