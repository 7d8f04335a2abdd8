"""Demo payments of Ngọc Liên: the commune's procedures with fees offered for online payment
(new catalogue versions), a few new dossiers paid online through the local sandbox gateway
with the real protocol (signed URL, signed notification, status queries), one declined, one
paid twice from two tabs and refunded, two waiting for payment with the link sent by SMS;
every fee payment (these and the counter ones of the demo dossiers) has its electronic
receipt; yesterday's and today's reconciliation lists.

Idempotent: nothing is added when the demo payments exist already."""
import random
from contextlib import contextmanager
from datetime import timedelta

from django.test.utils import override_settings
from django.utils import timezone

from xaso.core.models import Unit, User

SEED = 2027


def load(stdout) -> None:
    from xaso.dossiers.models import Dossier

    from .models import Payment

    centre = Unit.objects.filter(code="ngoc-lien-pvhcc").first()
    commune = Unit.objects.filter(code="ngoc-lien").first()
    if centre is None or commune is None or not Dossier.objects.filter(receiving_unit=centre).exists():
        stdout.write("  payments: the demo dossiers are missing; skipped")
        return
    if Payment.objects.filter(dossier__receiving_unit=centre).exists():
        stdout.write(f"  payments: {Payment.objects.filter(dossier__receiving_unit=centre).count()} demo online payments already present; nothing added")
        return
    offered = _offer_online_payment()
    with override_settings(XASO_PAYMENT_SANDBOX=True, XASO_PAYMENT_SANDBOX_IPN="off"), local_gateway():
        made = _payments(centre, commune)
        from . import reconciliation

        today = timezone.localdate()
        for day in (today - timedelta(days=1), today):
            reconciliation.build("vnpay", day)
    from .models import Receipt

    stdout.write(f"  payments: online payment offered for {offered} procedures with fees; {made}; "
                 f"{Receipt.objects.filter(dossier__receiving_unit=centre).count()} electronic receipts")


def _offer_online_payment() -> int:
    """New versions of the commune's procedures with a priced fee: fees payable online,
    due before the result (certifications: before reception)."""
    from xaso.catalog import services as catalog
    from xaso.catalog.models import Fee, ProcedureVersion
    from xaso.catalog.text import normalise

    n = 0
    versions = ProcedureVersion.objects.filter(valid_to__isnull=True, level=ProcedureVersion.Level.COMMUNE, online_payment=False).select_related("procedure", "field")
    for v in versions:
        if not Fee.objects.filter(version=v, amount__gt=0).exists():
            continue
        timing = "before_reception" if normalise(v.field.name).startswith("chung thuc") else "before_result"
        catalog.publish_new_version(v.procedure, {"online_payment": True, "fee_timing": timing}, reason="Triển khai thanh toán trực tuyến (dữ liệu mẫu)")
        n += 1
    return n


@contextmanager
def local_gateway():
    """Status queries and refunds reach the sandbox gateway in this process (no server runs
    during ``xaso demo``)."""
    import json

    from django.test import RequestFactory

    from . import providers, sandbox

    def post_json(url, body, timeout):
        request = RequestFactory().post("/sandbox/vnpay/merchant_webapi/api/transaction", data=json.dumps(body), content_type="application/json")
        return json.loads(sandbox.api(request).content)

    saved = providers.http_post_json
    providers.http_post_json = post_json
    try:
        yield
    finally:
        providers.http_post_json = saved


def _payments(centre, commune) -> str:
    from xaso.dossiers import services as dossiers
    from xaso.dossiers.demo import _applicant, _components, _usable_terms

    from . import providers, sandbox, services, vnpay
    from .models import SandboxTransaction

    rng = random.Random(SEED)
    reception = User.objects.filter(username="motcua").first()
    citizen = User.objects.filter(username="dan-0912345678").first()
    if reception is None:
        return "no reception officer"
    terms_list = [t for t in _usable_terms(commune) if t.version is not None and t.version.online_payment and t.fee_lines and any(line.get("unit_price") for line in t.fee_lines)]
    if not terms_list:
        return "no procedure with fees payable online"
    now = timezone.now()
    outcomes = ["success"] * 6 + ["cancel", "two_tabs", "request", "request"]
    counts: dict[str, int] = {}
    for i, outcome in enumerate(outcomes):
        terms = rng.choice(terms_list)
        applicant = _applicant(rng, {"dan-0912345678": citizen}, 9 if i < 3 and citizen else i + 1)
        at = now - timedelta(hours=30 - i * 3)
        d = dossiers.intake(officer=reception, terms=terms, applicant=applicant, components=_components(rng, terms, False), receiving_unit=centre,
                            fee_quantities={line["line"]: 1 for line in terms.fee_lines if line["kind"] == "per_unit"} or None, now=at)
        if d.fee_amount <= 0:
            continue
        if outcome == "request":
            services.request_payment(d, reception, now=at + timedelta(minutes=5))
        else:
            tabs = 2 if outcome == "two_tabs" else 1
            started = [services.start_payment(d, via="owner" if d.applicant_account_id else "link", ip="113.160.1.10", now=at + timedelta(minutes=10 + tab))
                       for tab in range(tabs)]  # both tabs open before either pays
            for tab, (p, url) in enumerate(started):
                query = vnpay.parse_query(url.split("?", 1)[1])
                t = SandboxTransaction.objects.create(
                    tmn_code=query["vnp_TmnCode"], txn_ref=query["vnp_TxnRef"], day=query["vnp_CreateDate"][:8], amount=p.amount,
                    create_date=query["vnp_CreateDate"], expire_date=query["vnp_ExpireDate"], order_info=query["vnp_OrderInfo"],
                    return_url=query["vnp_ReturnUrl"], transaction_status=vnpay.STATUS_NOT_COMPLETED,
                )
                sandbox.finish(t, "cancel" if outcome == "cancel" else "success")
                t.refresh_from_db()
                params = vnpay.parse_query(vnpay.signed_query(sandbox.result_params(t), providers.sandbox_secret()))
                answer = services.handle_notification("vnpay", params, now=at + timedelta(minutes=12 + tab))
                t.notifications.update(answered=answer["RspCode"], done=True, attempts=1)  # delivered here, not by the worker
            if outcome == "two_tabs":
                services.reconcile(now=now)  # refunds the second tab
        counts[outcome] = counts.get(outcome, 0) + 1
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
