#!/usr/bin/env python
"""Benchmark of online payment notifications (not a timed test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xaso_bench .venv/bin/python bench/payments.py [--n 100000]
    ... --generate-only      # fill (or top up) the database to N payments and stop

Never point it at a database people use: it adds a bench commune, dossiers and payments.

1. Generates N dossiers with a 50,000 đ fee payable online and one started VNPAY payment
   each (bulk inserts, progress bar; the database is reused and topped up by later runs).
2. Measures, in the same run, on payments still started:
   - the gateway's notifications (IPN) through the real handler
     (``payments.services.handle_notification``: HMAC-SHA512 check, payment row lock, state
     change, the fee payment recorded through the dossier service with its history event,
     national-portal sync job and audit record, the electronic receipt numbered in the
     commune's series, the payment's audit record, the SMS to the payer), one process;
   - the same with ``--workers`` processes at once, **each notification sent by every
     process** (the gateway's retries racing each other): exactly one is recorded per
     payment, the others answered "already confirmed";
   - the baseline: a raw-SQL ``UPDATE`` of the same payment rows, one autocommit statement
     per row, in one process;
   and checks that no receipt number is used twice and every completed payment has one
   receipt.
"""
import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xaso.settings")
# The local sandbox's merchant and secret sign the notifications (no network is used).
os.environ["XASO_PAYMENT_SANDBOX"] = "true"
os.environ.setdefault("XASO_NOTIFY_USE_TASKS", "false")  # no worker wake-up per SMS

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from tqdm import tqdm  # noqa: E402

from xaso.core.models import Membership, Position, Role, Unit, User  # noqa: E402
from xaso.core.request_context import Actor, acting_as  # noqa: E402
from xaso.dossiers.models import Dossier, FeePayment  # noqa: E402
from xaso.payments import providers, services, vnpay  # noqa: E402
from xaso.payments.models import Payment, Receipt  # noqa: E402
from xaso.payments.states import State  # noqa: E402

FEE = 50_000
BATCH = 5000
PREFIX = "BENCH"


def setup():
    from xaso.catalog import services as catalog

    province, _ = Unit.objects.get_or_create(code="bench-pay-province", defaults={"kind": Unit.Kind.PROVINCE, "name": "Tỉnh Bench", "identifier": "000.00.00.B99"})
    commune, _ = Unit.objects.get_or_create(code="bench-pay-commune", defaults={"kind": Unit.Kind.COMMUNE, "name": "Xã Bench", "parent": province, "identifier": "000.00.01.B99"})
    centre, _ = Unit.objects.get_or_create(code="bench-pay-centre", defaults={"kind": Unit.Kind.CENTRE, "name": "Trung tâm Bench", "parent": commune, "identifier": "000.01.01.B99"})
    officer, created = User.objects.get_or_create(username="bench-pay-motcua", defaults={"kind": User.Kind.OFFICIAL, "full_name": "Bench"})
    if created:
        Membership.objects.create(user=officer, unit=centre, role=Role.RECEPTION, position=Position.RECEPTION_OFFICER)
    from xaso.catalog.models import Procedure

    procedure = Procedure.objects.filter(code="9.999999").first()
    if procedure is None:
        procedure = catalog.create_procedure("9.999999", {
            "name": "Thủ tục có phí (bench)", "field": "Chứng thực", "processing_amount": 3, "processing_unit": "working_days",
            "fee_timing": "before_result", "online_payment": True,
            "fees": [{"kind": "fixed", "amount": FEE, "unit": "", "description": "Lệ phí", "online_amount": None}],
            "steps": [{"name": "Giải quyết", "role": "specialist", "share": 100, "inter_agency": False, "agency_name": ""}],
        })
    return centre, procedure.latest_version()


def generate(n, centre, version):
    have = Payment.objects.filter(txn_ref__startswith=PREFIX).count()
    if have >= n:
        return
    now = timezone.now()
    with tqdm(total=n, initial=have, desc="Payments", unit="payment") as bar:
        while have < n:
            size = min(BATCH, n - have)
            with transaction.atomic():
                dossiers = Dossier.objects.bulk_create([
                    Dossier(code=f"BENCHPAY-{have + i:08d}", status="received", channel=1, procedure_version=version, procedure_code="9.999999",
                            procedure_name=version.name, field_name="Chứng thực", legal_days=3, fee_amount=FEE, applicant_name=f"Người nộp {have + i}",
                            applicant_phone="0900000000", receiving_unit=centre, competent_unit=centre, current_unit=centre,
                            submitted_at=now, received_at=now)
                    for i in range(size)
                ], batch_size=1000)
                Payment.objects.bulk_create([
                    Payment(dossier=d, provider="vnpay", txn_ref=f"{PREFIX}{have + i:010d}", amount=FEE, order_info=f"Nop phi le phi ho so {d.code}",
                            via="link", created_at=now, expires_at=now + timedelta(days=365))
                    for i, d in enumerate(dossiers)
                ], batch_size=1000)
            have += size
            bar.update(size)


def notification(p, secret):
    params = {
        "vnp_Amount": vnpay.to_amount(p.amount), "vnp_BankCode": "NCB", "vnp_BankTranNo": f"VNP{p.pk}", "vnp_CardType": "ATM",
        "vnp_OrderInfo": p.order_info, "vnp_PayDate": "20261201093000", "vnp_ResponseCode": "00", "vnp_TmnCode": providers.SANDBOX_TMN_CODE,
        "vnp_TransactionNo": str(10_000_000 + p.pk), "vnp_TransactionStatus": "00", "vnp_TxnRef": p.txn_ref,
    }
    # As received: the query string parsed back into its values.
    return vnpay.parse_query(vnpay.signed_query(params, secret))


def started(count):
    return list(Payment.objects.filter(txn_ref__startswith=PREFIX, state=State.STARTED).order_by("id")[:count])


def handle_all(items, label):
    answers = {}
    with acting_as(Actor(username="vnpay", source="api")):
        for params in tqdm(items, desc=label, unit="IPN", leave=False):
            code = services.handle_notification("vnpay", params)["RspCode"]
            answers[code] = answers.get(code, 0) + 1
    return answers


def measure_one_process(count, secret):
    items = [notification(p, secret) for p in started(count)]
    t = time.perf_counter()
    answers = handle_all(items, "IPN, 1 process")
    wall = time.perf_counter() - t
    return len(items) / wall, answers, [p["vnp_TxnRef"] for p in items]


def _worker(w, items, ready, go, out):
    from django.db import connections

    connections.close_all()
    ready.put(w)
    go.wait()
    out.put(handle_all(items if w % 2 == 0 else list(reversed(items)), f"IPN, process {w}"))


def measure_parallel(count, workers, secret):
    import multiprocessing as mp

    from django.db import connections

    items = [notification(p, secret) for p in started(count)]
    connections.close_all()
    ctx = mp.get_context("fork")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_worker, args=(w, items, ready, go, out)) for w in range(workers)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get()
    t = time.perf_counter()
    go.set()
    answers = {}
    for _ in procs:
        for code, n in out.get().items():
            answers[code] = answers.get(code, 0) + n
    wall = time.perf_counter() - t
    for p in procs:
        p.join()
    if any(p.exitcode for p in procs):
        raise SystemExit("a notification process failed")
    return len(items) / wall, len(items) * workers / wall, answers, [p["vnp_TxnRef"] for p in items]


def measure_raw(refs):
    ids = list(Payment.objects.filter(txn_ref__in=refs).values_list("id", flat=True))
    table = Payment._meta.db_table
    with connection.cursor() as cur:
        t = time.perf_counter()
        for pk in ids:
            cur.execute(f"UPDATE {table} SET state = %s, notifications = notifications + 1, updated_at = %s WHERE id = %s", ["completed", timezone.now(), pk])
        wall = time.perf_counter() - t
    return len(ids) / wall


def check():
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM (SELECT series_id, year, number FROM {Receipt._meta.db_table} GROUP BY series_id, year, number HAVING COUNT(*) > 1) dup")
        duplicates = cur.fetchone()[0]
    bench = Payment.objects.filter(txn_ref__startswith=PREFIX)
    completed = bench.filter(state=State.COMPLETED).exclude(fee_payment=None).count()
    receipts = Receipt.objects.filter(fee_payment__online_payment__txn_ref__startswith=PREFIX).count()
    fee_payments = FeePayment.objects.filter(reference__startswith=f"vnpay:{PREFIX}").count()
    return duplicates, completed, receipts, fee_payments


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="payments in the database (default 100,000)")
    ap.add_argument("--ipn", type=int, default=2000, help="payments notified per figure (default 2,000)")
    ap.add_argument("--workers", type=int, default=2, help="processes for the concurrent figure (0: skip it)")
    ap.add_argument("--generate-only", action="store_true")
    args = ap.parse_args()
    call_command("migrate", interactive=False, verbosity=0)
    with acting_as(Actor(username="bench", source="command")):
        centre, version = setup()
        generate(args.n, centre, version)
    if args.generate_only:
        return
    if Payment.objects.filter(txn_ref__startswith=PREFIX, state=State.STARTED).count() < args.ipn * (2 if args.workers else 1):
        raise SystemExit("not enough started payments left: raise --n (each run completes some)")
    secret = providers.sandbox_secret()
    print(f"database: {connection.vendor}, {Payment.objects.count():,} payments, {Receipt.objects.count():,} receipts")
    one, answers1, refs1 = measure_one_process(args.ipn, secret)
    raw = measure_raw(refs1)
    print(f"IPN through the handler, 1 process: {one:,.0f} notifications/s {answers1}")
    print(f"raw-SQL UPDATE of the same rows: {raw:,.0f} rows/s; handler ÷ raw = {one / raw:.3f} (raw is {raw / one:.0f}× faster)")
    if args.workers:
        payments_s, notes_s, answers, _refs = measure_parallel(args.ipn, args.workers, secret)
        print(f"IPN, {args.workers} processes, every notification sent by each: {payments_s:,.0f} payments/s completed, {notes_s:,.0f} notifications/s {answers}")
        assert answers.get("00", 0) == args.ipn and answers.get("02", 0) == args.ipn * (args.workers - 1), answers
    duplicates, completed, receipts, fee_payments = check()
    print(f"receipt numbers used twice: {duplicates}; completed payments {completed:,}, their receipts {receipts:,}, fee payments {fee_payments:,}")
    assert duplicates == 0 and completed == receipts == fee_payments


if __name__ == "__main__":
    main()
