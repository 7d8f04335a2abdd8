"""Several processes appending to the audit trail of one SQLite file at once keep a single
valid chain (SQLite serialises writers with BEGIN IMMEDIATE; PostgreSQL is covered by
test_audit_concurrency)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

XASO = str(Path(sys.executable).with_name("xaso"))
PROCESSES = 4
PER_PROCESS = 40

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite file database; runs in the SQLite pass"
)

SCRIPT = f"""
import sys
from django.db import transaction
from xaso.core import audit
from xaso.core.models import Unit
from xaso.core.request_context import Actor, acting_as
n = sys.argv[-1]
with acting_as(Actor(source="job", username="proc" + n)):
    for i in range({PER_PROCESS}):
        with transaction.atomic():
            audit.record("action", verb="parallel", object_id=n + "-" + str(i))
            if i % 10 == 0:
                Unit.objects.create(kind="other", code="u-" + n + "-" + str(i), name="x")
"""


def test_parallel_processes_on_sqlite_keep_one_chain(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(XASO_VAR_DIR=str(tmp_path), XASO_ENV_FILE=str(tmp_path / "none.env"))
    subprocess.run([XASO, "migrate", "-v0"], env=env, check=True, cwd=tmp_path)
    script = tmp_path / "append.py"
    script.write_text(SCRIPT)
    runner = f"import sys; sys.argv.append(sys.argv[-1]); exec(open({str(script)!r}).read())"
    procs = [
        subprocess.Popen([sys.executable, "-c", f"import os, django; os.environ['DJANGO_SETTINGS_MODULE']='xaso.settings'; django.setup(); {runner}", str(n)],
                         env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
        for n in range(PROCESSES)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    result = subprocess.run([XASO, "audit", "verify", "--no-progress"], env=env, cwd=tmp_path, capture_output=True, text=True)
    expected = PROCESSES * PER_PROCESS + PROCESSES * (PER_PROCESS // 10)
    assert result.returncode == 0, result.stderr
    assert f"OK: {expected} records verified" in result.stdout
