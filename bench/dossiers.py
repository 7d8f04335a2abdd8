#!/usr/bin/env python
"""Benchmark of the dossier lifecycle (not a timed test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xaso_bench .venv/bin/python bench/dossiers.py [--n 1000000]
    DATABASE_URL=sqlite:///$PWD/bench/.data/dossiers.sqlite3 .venv/bin/python bench/dossiers.py --n 100000   # reference
    ... --generate-only      # fill (or top up) the database to N and stop; measure in a later run

Never point it at a database people use: it adds bench units, officials and dossiers.

1. Generates N dossiers with realistic histories (received → transferred → assigned →
   … → returned for most; the rest still open, spread over 60 specialists of 6 communes),
   with their events and hand-over steps, in batches with bulk inserts (progress bar). The
   database is reused: a second run only tops it up to N.
2. Measures, in the same run:
   - intake throughput through the service layer (``services.intake``: code counter, clock,
     components, receipt number, event, audit record, outbox, sync job), in one process and
     in ``--intake-workers`` processes at once (counters of different communes);
   - an official's worklist: the page ``/ho-so/`` and the API ``/api/v1/dossiers/?mine=1``,
     p50/p99, against the raw SQL returning the same 50 rows;
   - the public lookup: the page ``/tra-cuu/`` and the API ``/api/v1/dossiers/lookup/``,
     p50/p99, against the raw SQL returning the same dossier and its history (50 random
     dossiers looked up in turn; the rate limits are lifted, their counters still run).
"""
import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xaso.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from tqdm import tqdm  # noqa: E402

from xaso.core.calendar import Duration  # noqa: E402
from xaso.core.models import Membership, Position, Role, Unit, User  # noqa: E402
from xaso.core.request_context import Actor, acting_as  # noqa: E402
from xaso.dossiers import selectors, services  # noqa: E402
from xaso.dossiers.models import CodeCounter, Dossier, Event, Step  # noqa: E402
from xaso.dossiers.services import Applicant, ComponentIn, ProcedureTerms  # noqa: E402
from xaso.dossiers.states import Status  # noqa: E402

COMMUNES = 6
SPECIALISTS_PER_COMMUNE = 10
BATCH = 5000


def setup_org():
    province, _ = Unit.objects.get_or_create(code="bench-province", defaults={"kind": "province", "name": "Tỉnh thử tải", "identifier": "900.00.00.H99"})
    units = []
    for c in range(COMMUNES):
        commune, _ = Unit.objects.get_or_create(code=f"bench-c{c}", defaults={"kind": "commune", "name": f"Xã thử tải {c}", "parent": province, "identifier": f"900.{c:02d}.00.H99"})
        centre, _ = Unit.objects.get_or_create(code=f"bench-c{c}-centre", defaults={"kind": "centre", "name": f"TT PVHCC thử tải {c}", "parent": commune, "identifier": f"901.{c:02d}.00.H99"})
        dept, _ = Unit.objects.get_or_create(code=f"bench-c{c}-dept", defaults={"kind": "department", "name": f"Phòng VH-XH thử tải {c}", "parent": commune, "identifier": f"902.{c:02d}.00.H99"})
        units.append((commune, centre, dept))
    people = {}

    def official(username, unit, role):
        u = User.objects.filter(username=username).first()
        if u is None:
            u = User.objects.create_user(username=username, password=None, kind=User.Kind.OFFICIAL, full_name=username)
            Membership.objects.create(user=u, unit=unit, role=role, position=Position.STAFF)
        return u

    for c, (commune, centre, dept) in enumerate(units):
        people[("reception", c)] = official(f"bench-rec-{c}", centre, Role.RECEPTION)
        people[("head", c)] = official(f"bench-head-{c}", dept, Role.UNIT_HEAD)
        for s in range(SPECIALISTS_PER_COMMUNE):
            people[("spec", c, s)] = official(f"bench-spec-{c}-{s}", dept, Role.SPECIALIST)
    return units, people


TERMS = ProcedureTerms(
    code="bench.0001",
    name="Đăng ký khai sinh (thử tải)",
    field_name="Hộ tịch",
    days=3,
    fee=8000,
    steps=[{"name": "Tiếp nhận", "role": "reception", "share": 10}, {"name": "Thẩm định", "role": "specialist", "share": 60}, {"name": "Phê duyệt", "role": "leader", "share": 20}, {"name": "Trả kết quả", "role": "reception", "share": 10}],
    documents=[{"name": "Tờ khai", "mandatory": True}, {"name": "Giấy chứng sinh", "mandatory": True}],
)


def generate(n, units, people, rng):
    """Bulk rows with the shape the services produce (volume only; every behaviour is
    tested through the services)."""
    have = Dossier.objects.filter(procedure_code=TERMS.code).count()
    if have >= n:
        print(f"Database already holds {have} bench dossiers.")
        return
    cal = services.get_calendar()
    now = timezone.now()
    start = now - timedelta(days=730)
    to_make = n - have
    seq_by_day: dict = {}
    bar = tqdm(total=to_make, desc="Generating dossiers", unit="dossier")
    made = 0
    while made < to_make:
        size = min(BATCH, to_make - made)
        dossiers = []
        for i in range(size):
            k = have + made + i
            c = k % COMMUNES
            commune, centre, dept = units[c]
            received = start + timedelta(seconds=(730 * 86400) * (k / n)) + timedelta(minutes=rng.randint(0, 300))
            received = min(received, now - timedelta(minutes=5))
            day = timezone.localtime(received).date()
            key = (centre.pk, day)
            seq_by_day[key] = seq_by_day.get(key) or (CodeCounter.objects.filter(unit=centre, day=day).values_list("last", flat=True).first() or 0)
            seq_by_day[key] += 1
            code = f"{centre.identifier}-{day:%y%m%d}-{seq_by_day[key]:04d}"
            due = cal.due_at(received, Duration(3, 0))
            open_ = received > now - timedelta(days=12) or rng.random() < 0.002
            spec = people[("spec", c, rng.randrange(SPECIALISTS_PER_COMMUNE))]
            status = rng.choice([Status.IN_PROGRESS, Status.IN_PROGRESS, Status.AWAITING_APPROVAL, Status.SUPPLEMENT]) if open_ else Status.RETURNED
            finished = None if open_ else received + timedelta(days=rng.uniform(0.5, 4))
            dossiers.append(
                Dossier(
                    code=code, status=status, channel=rng.choice([1, 1, 1, 2, 3]), procedure_code=TERMS.code, procedure_name=TERMS.name,
                    field_name=TERMS.field_name, legal_days=3, fee_amount=TERMS.fee, steps_plan=TERMS.steps, green_lane=rng.random() < 0.1,
                    applicant_name=f"Người nộp {k}", applicant_id_number=f"038{k:09d}"[-12:], applicant_phone=f"09{k:08d}"[-10:],
                    receiving_unit=centre, competent_unit=dept, current_unit=dept if open_ else centre, assignee=spec,
                    submitted_at=received, received_at=received, legal_due_at=due, due_at=due, finished_at=finished,
                    returned_at=finished + timedelta(hours=2) if finished else None,
                )
            )
        with transaction.atomic():
            Dossier.objects.bulk_create(dossiers, batch_size=1000)  # sets the primary keys (PostgreSQL, SQLite ≥ 3.35)
            saved = [(d.pk, d.code, d.received_at, d.finished_at, d.receiving_unit_id, d.competent_unit_id, d.assignee_id) for d in dossiers]
            events, steps = [], []
            for pk, code, rec, fin, ru, cu, sp in saved:
                t = rec
                for j, (action, frm, to, unit) in enumerate([("intake", "", "received", ru), ("transfer", "received", "transferred", cu), ("assign", "transferred", "in_progress", cu)]):
                    events.append(Event(dossier_id=pk, at=t + timedelta(minutes=30 * j), action=action, from_status=frm, to_status=to, unit_id=unit))
                steps.append(Step(dossier_id=pk, seq=1, name="Tiếp nhận", unit_id=ru, started_at=t, finished_at=t + timedelta(minutes=30)))
                steps.append(Step(dossier_id=pk, seq=2, name="Thẩm định", unit_id=cu, assignee_id=sp, started_at=t + timedelta(minutes=60), finished_at=fin))
                if fin:
                    events.append(Event(dossier_id=pk, at=fin, action="result_ready", from_status="approved", to_status="result_ready", unit_id=cu))
                    events.append(Event(dossier_id=pk, at=fin + timedelta(hours=2), action="return_result", from_status="result_ready", to_status="returned", unit_id=ru))
            Event.objects.bulk_create(events, batch_size=2000)
            Step.objects.bulk_create(steps, batch_size=2000)
            for (unit_id, day), last in seq_by_day.items():
                CodeCounter.objects.update_or_create(unit_id=unit_id, day=day, defaults={"last": last})
        seq_by_day.clear()
        made += size
        bar.update(size)
    bar.close()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timed(fn, repeat):
    fn()  # warm-up
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def intake_one(officer, centre, dept, name):
    services.intake(
        officer=officer,
        terms=TERMS,
        applicant=Applicant(name=name, phone="0912345678", id_number="038085001234"),
        components=[ComponentIn(name="Tờ khai"), ComponentIn(name="Giấy chứng sinh", reused=True)],
        receiving_unit=centre,
        competent_unit=dept,
    )


def measure_intake(units, people, count):
    commune, centre, dept = units[0]
    officer = people[("reception", 0)]
    t = time.perf_counter()
    with acting_as(Actor(username="bench", source="command")):
        for i in tqdm(range(count), desc="Intake through the services", unit="dossier"):
            intake_one(officer, centre, dept, f"Người nộp thử {i}")
    return count / (time.perf_counter() - t)


def _intake_worker(w, units, people, count, ready, go, out):
    from django.db import connections

    connections.close_all()  # a fresh connection of this process's own
    c = w % COMMUNES
    commune, centre, dept = units[c]
    officer = people[("reception", c)]
    ready.put(w)
    go.wait()
    t = time.perf_counter()
    with acting_as(Actor(username=f"bench-{w}", source="command")):
        for i in range(count):
            intake_one(officer, centre, dept, f"Người nộp song song {w}-{i}")
    out.put((w, time.perf_counter() - t))


def measure_intake_parallel(units, people, count, workers):
    """``workers`` processes (each its own connection, each a reception officer of a
    different commune, as counters across the province would be) receive ``count`` dossiers
    in all; the figure is dossiers ÷ wall time from the common start to the last finish."""
    import multiprocessing as mp

    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("fork")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    each = count // workers
    procs = [ctx.Process(target=_intake_worker, args=(w, units, people, each, ready, go, out)) for w in range(workers)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get()
    t = time.perf_counter()
    go.set()
    with tqdm(total=workers, desc=f"Intake, {workers} processes", unit="process") as bar:
        for _ in procs:
            out.get()
            bar.update(1)
    wall = time.perf_counter() - t
    for p in procs:
        p.join()
    if any(p.exitcode for p in procs):
        raise SystemExit("an intake process failed")
    return each * workers / wall


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="dossiers in the database (default 1,000,000)")
    ap.add_argument("--intake", type=int, default=1000, help="dossiers received through the services for the throughput figure")
    ap.add_argument("--intake-workers", type=int, default=4, help="processes for the concurrent intake figure (0: skip it)")
    ap.add_argument("--repeat", type=int, default=300, help="requests per latency figure")
    ap.add_argument("--generate-only", action="store_true", help="fill the database up to N and stop (measure in a later run)")
    args = ap.parse_args()
    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(7)
    with acting_as(Actor(username="bench", source="command")):
        units, people = setup_org()
        generate(args.n, units, people, rng)
    if args.generate_only:
        return
    total = Dossier.objects.count()
    print(f"\nDatabase: {connection.vendor}; dossiers: {total}")
    load_intake = os.getloadavg()
    rate = measure_intake(units, people, args.intake)
    rate_parallel = measure_intake_parallel(units, people, args.intake, args.intake_workers) if args.intake_workers > 0 else None

    spec = people[("spec", 1, 3)]
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}, XASO_TWO_FACTOR_REQUIRED_ROLES=[], XASO_LOOKUP_RATE="1000000/m", XASO_LOOKUP_RATE_PER_CODE="1000000/h", ALLOWED_HOSTS=["*"],
                           REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "lookup": "1000000/min", "user": "1000000/min", "anon": "1000000/min"}}):
        # DRF's throttles read their rates once, at import: lift the class copy as well.
        from rest_framework.throttling import ScopedRateThrottle

        ScopedRateThrottle.THROTTLE_RATES = {**ScopedRateThrottle.THROTTLE_RATES, "lookup": "1000000/min"}
        client = Client()
        client.force_login(spec)
        qs = selectors.worklist(spec)[:50]
        sql, params = qs.query.sql_with_params()
        n_rows = len(list(qs))

        def raw_worklist():
            with connection.cursor() as cur:
                cur.execute(sql, params)
                cur.fetchall()

        def page_worklist():
            r = client.get("/ho-so/")
            assert r.status_code == 200, r.status_code

        def api_worklist():
            r = client.get("/api/v1/dossiers/", {"mine": "1"})
            assert r.status_code == 200, r.status_code

        # 50 random dossiers, looked up in turn (not one cache-hot row).
        targets = list(Dossier.objects.filter(procedure_code=TERMS.code).order_by("?").values_list("code", "applicant_phone")[:50])
        turn = {"raw": 0, "page": 0, "api": 0}

        def nxt(kind):
            turn[kind] += 1
            return targets[turn[kind] % len(targets)]

        lookup_sql = "SELECT id, code, procedure_name, status, received_at, due_at, delivery FROM dossiers_dossier WHERE code = %s"
        events_sql = "SELECT e.at, e.action, u.name FROM dossiers_event e LEFT JOIN core_unit u ON u.id = e.unit_id WHERE e.dossier_id = %s ORDER BY e.at, e.id"

        def raw_lookup():
            code, _phone = nxt("raw")
            with connection.cursor() as cur:
                cur.execute(lookup_sql, [code])
                row = cur.fetchone()
                cur.execute(events_sql, [row[0]])
                cur.fetchall()

        anon = Client()

        def page_lookup():
            code, phone = nxt("page")
            r = anon.get("/tra-cuu/", {"ma": code, "k": phone[-4:]})
            assert r.status_code == 200 and b"lookup-status" in r.content, r.status_code

        def api_lookup():
            code, phone = nxt("api")
            r = anon.get("/api/v1/dossiers/lookup/", {"code": code, "key": phone[-4:]})
            assert r.status_code == 200, r.status_code

        results = {}
        load_before = os.getloadavg()
        for name, fn in [("raw worklist SQL", raw_worklist), ("worklist page", page_worklist), ("worklist API", api_worklist),
                         ("raw lookup SQL", raw_lookup), ("lookup page", page_lookup), ("lookup API", api_lookup)]:
            results[name] = timed(fn, args.repeat)

    print(f"\nLoad average before the latency runs: {load_before}; after: {os.getloadavg()} (1, 5, 15 min); CPUs: {os.cpu_count()}")
    print(f"Intake through the service layer: {rate:.0f} dossiers/s (single process; load average before it: {load_intake})")
    if rate_parallel is not None:
        print(f"Intake through the service layer: {rate_parallel:.0f} dossiers/s ({args.intake_workers} processes, different communes)")
    print(f"Worklist of {spec.username}: {n_rows} rows on the first page\n")
    print(f"{'measure':<20} {'p50 ms':>8} {'p99 ms':>8} {'p99 / raw p99':>14}")
    for name, vals in results.items():
        raw = results["raw worklist SQL" if "worklist" in name else "raw lookup SQL"]
        print(f"{name:<20} {statistics.median(vals):8.2f} {pct(vals, 99):8.2f} {pct(vals, 99) / pct(raw, 99):14.1f}")


if __name__ == "__main__":
    main()
