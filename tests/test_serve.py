"""``xaso serve`` as an operator runs it: collectstatic, gunicorn, pages and static files
served, a graceful stop on Ctrl-C (SIGINT)."""
import os
import re
import signal
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

XASO = str(Path(sys.executable).with_name("xaso"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url, headers=None, timeout=10):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, dict(response.headers), response.read()


@pytest.fixture
def server_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("DATABASE_URL", None)  # a throw-away SQLite database under tmp_path
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    static_root = tmp_path / "static"
    if Path(settings.STATIC_ROOT).is_dir():
        shutil.copytree(settings.STATIC_ROOT, static_root, copy_function=shutil.copy2)
    env.update(
        XASO_VAR_DIR=str(tmp_path),
        # A copy of the static root `make test` has just filled: collectstatic is then
        # incremental, and rewriting files here cannot race the other test workers that
        # serve from the shared root.
        STATIC_ROOT=str(static_root),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECRET_KEY="serve-test-" + "x" * 50,
    )
    subprocess.run([XASO, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=tmp_path, timeout=300)
    return env


def test_serve_runs_gunicorn_with_static_files_and_stops_gracefully(server_env, tmp_path):
    port = free_port()
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(
        [XASO, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=server_env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240  # the first collectstatic compresses every file
        while True:
            assert process.poll() is None, Path(log.name).read_text()
            try:
                status, headers, body = get(base + "/", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        assert status == 200
        assert headers["Server"].startswith("gunicorn")
        assert "DENY" in headers["X-Frame-Options"]
        html = body.decode()
        assert '<html lang="vi"' in html

        # Static files: hashed names from the manifest, served by whitenoise, compressed,
        # cached for ever.
        css = re.search(r'href="(/static/vendor/bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css)"', html)
        assert css, html
        status, headers, body = get(base + css.group(1), headers={"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"]

        with pytest.raises(urllib.error.HTTPError) as missing:
            get(base + "/static/does-not-exist.css")
        assert missing.value.code == 404
    finally:
        process.send_signal(signal.SIGINT)
        try:
            returncode = process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        log.seek(0)
        output = log.read()
        log.close()
    assert returncode == 0, output
    assert "Collecting static files" in output
    assert "finishing requests in progress" in output
    assert "Traceback" not in output


def test_serve_with_worker_delivers_the_outbox_and_stops_the_worker_and_scheduler(server_env, tmp_path):
    """`make demo` runs `xaso serve --with-worker`: a citizen's login code is delivered (the
    console SMS backend prints it) without a separate worker command."""
    port = free_port()
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(
        [XASO, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-collectstatic", "--with-worker"],
        env=server_env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # Queue a message through the product's own service, in a separate process.
        subprocess.run(
            [
                XASO,
                "shell",
                "-c",
                "from xaso.notifications.services import enqueue_sms; enqueue_sms('0912345678', 'serve-worker-test')",
            ],
            env=server_env,
            cwd=tmp_path,
            check=True,
            timeout=120,
        )
        deadline = time.monotonic() + 120
        while "serve-worker-test" not in Path(log.name).read_text():
            assert process.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(0.5)
        found = subprocess.run(["pgrep", "-P", str(process.pid), "-f", "db_worker"], capture_output=True, text=True)
        worker_pids = [int(pid) for pid in found.stdout.split()]
        assert len(worker_pids) == 1, found
        # The scheduler of periodic jobs runs beside it.
        found = subprocess.run(["pgrep", "-P", str(process.pid), "-f", "xaso.cli scheduler"], capture_output=True, text=True)
        worker_pids += [int(pid) for pid in found.stdout.split()]
        assert len(worker_pids) == 2, found
    finally:
        process.send_signal(signal.SIGINT)
        try:
            returncode = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        log.seek(0)
        output = log.read()
        log.close()
    assert returncode == 0, output
    assert "Starting the background worker" in output
    assert "Scheduler running" in output and "Scheduler stopped." in output
    # The worker and scheduler children are gone with the server.
    for pid in worker_pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_worker_and_scheduler_exit_when_the_server_is_killed(server_env, tmp_path):
    """`kill -9` of `xaso serve --with-worker` (an out-of-memory kill, a crash) used to leave
    the task worker and the scheduler running as orphans, still sending SMS and running
    jobs: they now exit with their parent."""
    port = free_port()
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(
        [XASO, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-collectstatic", "--with-worker"],
        env=server_env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    children = []
    try:
        deadline = time.monotonic() + 120
        while len(children) < 2:
            assert process.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, Path(log.name).read_text()
            found = subprocess.run(["pgrep", "-P", str(process.pid), "-f", "xaso.cli"], capture_output=True, text=True)
            children = [int(pid) for pid in found.stdout.split()]
            time.sleep(0.5)
        time.sleep(2)  # both have started their loops
        process.kill()  # SIGKILL: the server cannot stop them itself
        process.wait(timeout=10)
        deadline = time.monotonic() + 30
        alive = children
        while alive and time.monotonic() < deadline:
            time.sleep(0.5)
            alive = [pid for pid in children if _alive(pid)]
        assert not alive, f"orphans still running: {alive}\n" + Path(log.name).read_text()
    finally:
        if process.poll() is None:
            process.kill()
        for pid in children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        log.close()


def _alive(pid) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False
