"""The commands as an operator runs them: a sandbox gateway process and a polling worker
process on a throw-away SQLite database."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

XASO = str(Path(sys.executable).with_name("xaso"))

# The processes use their own throw-away SQLite database: run once, in the SQLite pass.
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="database-independent; runs in the SQLite pass"
)


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.fixture
def env(tmp_path):
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    environ.update(XASO_VAR_DIR=str(tmp_path), XASO_ENV_FILE=str(tmp_path / "none.env"), PYTHONUNBUFFERED="1")
    subprocess.run([XASO, "migrate", "-v0"], env=environ, check=True, cwd=tmp_path)
    return environ


def test_sandbox_gateway_and_polling_worker_processes(env, tmp_path):
    gateway = subprocess.Popen(
        [XASO, "notifications", "sandbox-gateway", "--port", "0", "--token", "t0ken"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True,
    )
    worker = None
    try:
        first_line = gateway.stdout.readline()
        url = first_line.split(" on ", 1)[1].split(" ", 1)[0]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1/messages")
        env.update(
            XASO_SMS_BACKEND="xaso.notifications.backends.HTTPSMSBackend",
            XASO_SMS_GATEWAY_URL=url,
            XASO_SMS_GATEWAY_TOKEN="t0ken",
            XASO_NOTIFY_USE_TASKS="false",
        )
        script = "from xaso.notifications.services import enqueue_sms; print(enqueue_sms('0912345678', 'Xin chào từ xã Ngọc Liên').pk)"
        subprocess.run([XASO, "shell", "-c", script], env=env, cwd=tmp_path, check=True, capture_output=True)
        worker = subprocess.Popen(
            [XASO, "notifications", "send", "--loop", "--interval", "0.2"],
            env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True,
        )
        line = wait_for(lambda: gateway.stdout.readline())
        assert "to +84912345678 from XASO" in line and "Xin chào từ xã Ngọc Liên" in line
        worker.send_signal(signal.SIGTERM)
        out, _ = worker.communicate(timeout=30)
        assert worker.returncode == 0 and "sent 1" in out
        check = "from xaso.notifications.models import Message; import json; print(json.dumps(list(Message.objects.values_list('status', 'provider_id'))))"
        result = subprocess.run([XASO, "shell", "-c", check], env=env, cwd=tmp_path, check=True, capture_output=True, text=True)
        assert json.loads(result.stdout.strip().splitlines()[-1]) == [["sent", "sbx-000001"]]
    finally:
        for proc in (worker, gateway):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=10)
