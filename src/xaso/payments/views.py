"""Pages of payments. Thin: changes go through ``services``.

Citizens (public layout, work without JavaScript at 360 px):
- ``/thanh-toan/<token>/``: the dossier's payment page reached by the signed SMS link;
- ``/thanh-toan/ho-so/<code>/``: the same page for the logged-in owner of the dossier;
- ``/thanh-toan/vnpay/tra-ve/``: where the gateway sends the payer back (display only);
- receipts of the dossier, as signed PDF attachments, from either page.
The gateway's server notification is ``/api/v1/payments/vnpay/ipn/`` (``api.vnpay_ipn``:
in the API schema, outside the token API).
Staff: payment request (SMS), exemption, receipts, the daily reconciliation list.
"""
from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from xaso.core.middleware import client_ip
from xaso.core.signing import SigningError
from xaso.dossiers.models import Dossier

from . import links, providers, receipts, reconciliation, selectors, services
from .models import DailyReconciliation, Payment, Receipt

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _limited(request) -> bool:
    from django.conf import settings

    # Every method counts (django-ratelimit's ALL): starting a payment is a POST.
    return is_ratelimited(request, group="payments-start", key="ip", rate=getattr(settings, "XASO_PAYMENT_START_RATE", "20/h"), method=ALL, increment=True)


def _page(request, d: Dossier, *, receipt_url, post_url, status=200):
    summary = selectors.payment_summary(d)
    ctx = {
        "d": d,
        "summary": summary,
        "receipts": [_with_url(r, receipt_url(r)) for r in selectors.receipts_of(d)],
        "post_url": post_url,
        "pending": services.pending_payment(d),
        "fee_lines": [line for line in (d.fee_lines or []) if line.get("amount") is not None],
        "provider": (providers.available() or [None])[0],
    }
    return render(request, "payments/pay.html", ctx, status=status)


def _with_url(receipt, url):
    receipt.url = url
    return receipt


def _start(request, d: Dossier, *, via, back):
    if request.method != "POST":
        return None
    if _limited(request):
        messages.error(request, _("Too many payment attempts from your connection. Please wait and try again later."))
        return redirect(back)
    try:
        _payment, url = services.start_payment(d, via=via, user=request.user if request.user.is_authenticated else None, ip=client_ip(request))
    except services.PaymentError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect(back)
    return HttpResponseRedirect(url)


def _dossier_from_token(token) -> Dossier:
    pk = links.dossier_id_from(token)
    if pk is None:
        raise Http404
    return get_object_or_404(Dossier, pk=pk)


@never_cache
def link_page(request, token):
    """The payment page of the signed SMS link (no login: the link is the key)."""
    d = _dossier_from_token(token)
    started = _start(request, d, via="link", back=request.path)
    if started is not None:
        return started
    return _page(request, d, receipt_url=lambda r: links.payment_path(d) + f"bien-lai/{r.pk}.pdf", post_url=request.path)


def _owned(request, code) -> Dossier:
    d = Dossier.objects.filter(code=code, applicant_account=request.user).first()
    if d is None:
        raise Http404
    return d


@never_cache
@login_required(login_url="portal:citizen_login")
def owner_page(request, code):
    """The same page for the logged-in applicant who owns the dossier (404 otherwise)."""
    d = _owned(request, code)
    started = _start(request, d, via="owner", back=request.path)
    if started is not None:
        return started
    return _page(request, d, receipt_url=lambda r: f"{request.path}bien-lai/{r.pk}.pdf", post_url=request.path)


def _receipt_response(request, receipt: Receipt, back):
    try:
        data = receipts.pdf_bytes(receipt)
    except SigningError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    resp = HttpResponse(data, content_type=PDF)
    resp["Content-Disposition"] = f'attachment; filename="{receipts.filename(receipt)}"'
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@require_GET
def link_receipt(request, token, pk):
    d = _dossier_from_token(token)
    receipt = get_object_or_404(Receipt, pk=pk, dossier=d)
    return _receipt_response(request, receipt, links.payment_path(d))


@require_GET
@login_required(login_url="portal:citizen_login")
def owner_receipt(request, code, pk):
    d = _owned(request, code)
    receipt = get_object_or_404(Receipt, pk=pk, dossier=d)
    return _receipt_response(request, receipt, f"/thanh-toan/ho-so/{d.code}/")


@never_cache
@require_GET
def vnpay_return(request):
    """Where the gateway sends the payer back: the signature is checked and the payment's
    state shown as the notification left it — nothing is changed here (§1.2)."""
    provider = providers.get("vnpay")
    params = request.GET.dict()
    ctx = {"payment": None, "valid": False}
    if provider is not None:
        try:
            result = provider.read_return(params)
        except providers.NotificationRefused:
            result = None
        if result is not None:
            payment = Payment.objects.filter(provider="vnpay", txn_ref=result.txn_ref).select_related("dossier").first()
            if payment is not None:
                ctx.update(valid=True, payment=payment, said_paid=result.paid, d=payment.dossier,
                           back=links.payment_path(payment.dossier), code_text=_gateway_text(result.response_code))
    return render(request, "payments/return.html", ctx, status=200 if ctx["valid"] else 400)


def _gateway_text(code):
    from .vnpay import RESPONSE_CODES

    return RESPONSE_CODES.get(code, code)


# --------------------------------------------------------------------------- staff


def _staff_dossier(request, code) -> Dossier:
    from xaso.dossiers import selectors as dossier_selectors

    if not getattr(request.user, "is_official", False):
        raise PermissionDenied
    d = get_object_or_404(Dossier, code=code)
    if not dossier_selectors.scope_dossiers(request.user).filter(pk=d.pk).exists() and d.assignee_id != request.user.pk:
        raise Http404
    return d


@login_required
@require_POST
def request_payment(request, code):
    d = _staff_dossier(request, code)
    try:
        services.request_payment(d, request.user)
    except services.PaymentError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("The payment link was sent to the applicant by SMS."))
    return redirect("dossiers:detail", code=d.code)


@login_required
@require_POST
def exempt(request, code):
    d = _staff_dossier(request, code)
    try:
        services.exempt(d, request.user, reason=request.POST.get("reason", ""))
    except services.PaymentError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("The fees of this dossier are exempted."))
    return redirect("dossiers:detail", code=d.code)


@login_required
@require_GET
def staff_receipt(request, code, pk):
    d = _staff_dossier(request, code)
    receipt = get_object_or_404(Receipt, pk=pk, dossier=d)
    from xaso.core import audit

    audit.record_read(d, ["receipt", "applicant_name", "applicant_id_number", "applicant_address"], reason=receipt.reference)
    return _receipt_response(request, receipt, d.get_absolute_url())


def _may_reconcile(user) -> bool:
    from xaso.core.selectors import user_roles

    return bool(getattr(user, "is_official", False) and (user.is_superuser or user_roles(user) & {"admin", "leader", "reception"}))


@login_required
def reconciliation_list(request):
    """The daily reconciliation lists (per provider and day) for the accountant."""
    if not _may_reconcile(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    days = DailyReconciliation.objects.all()[:90]
    return render(request, "payments/reconciliation.html", {"days": days, "yesterday": today - timedelta(days=1)})


@login_required
@require_GET
def reconciliation_xlsx(request, provider, day):
    if not _may_reconcile(request.user):
        raise PermissionDenied
    try:
        the_day = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    rec = DailyReconciliation.objects.filter(provider=provider, day=the_day).first()
    if rec is None:
        raise Http404
    resp = HttpResponse(reconciliation.xlsx(rec), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="doi-soat-{provider}-{the_day:%Y%m%d}.xlsx"'
    return resp
