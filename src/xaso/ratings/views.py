"""Rating pages. Thin: changes go through ``services``.

- ``/danh-gia/l/<token>/``: the SMS link (no login; signed, expiring, one use);
- ``/danh-gia/ho-so/<code>/``: the logged-in owner of the dossier;
- ``/danh-gia/quay/``: the counter tablet (no login, no navigation: one rating, then the
  waiting screen), identified by its signed cookie; ``/danh-gia/quay/ghep/`` pairs a
  tablet (an official, once); officials send a dossier to a tablet from the dossier page;
- ``/danh-gia/can-tra-loi/``: dissatisfactions for the unit's head to answer.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xaso.core.models import Unit
from xaso.core.input_guard import object_id
from xaso.dossiers.models import Dossier

from . import scoring, services
from .models import Channel, Kiosk, Level

KIOSK_COOKIE = "xaso_kiosk"
KIOSK_SALT = "xaso.ratings.kiosk"


def _form_context(d, error=None, data=None):
    data = data or {}
    return {
        "d": d,
        "levels": [(int(v), label) for v, label in Level.choices],
        "table": services.province_table(),
        "criteria": [(i, text, data.get(f"c{i}", "")) for i, text in enumerate(scoring.CRITERIA)],
        "error": error,
        "chosen": str(data.get("level", "")),
        "comment": data.get("comment", ""),
    }


def _submit(request, d, **kwargs):
    criteria = None
    if services.province_table() and any(request.POST.get(f"c{i}", "") != "" for i in range(len(scoring.CRITERIA))):
        criteria = [request.POST.get(f"c{i}", "") for i in range(len(scoring.CRITERIA))]
    try:
        services.submit(d, level=request.POST.get("level"), comment=request.POST.get("comment", ""), criteria=criteria, **kwargs)
    except services.RatingError as exc:
        return " ".join(exc.messages)
    return None


@never_cache
def link_page(request, token):
    inv = services.invitation_from(token)
    if inv is None:
        return render(request, "ratings/done.html", {"message": _("This rating link is not valid or has expired.")}, status=404)
    d = inv.dossier
    if inv.used_at is not None or services.ratable_refusal(d):
        return render(request, "ratings/done.html", {"message": services.ratable_refusal(d) or _("This rating link has already been used or has expired.")})
    if request.method == "POST":
        error = _submit(request, d, channel=Channel.LINK, invitation=inv)
        if error is None:
            return render(request, "ratings/done.html", {"message": _("Thank you: your rating was recorded.")})
        return render(request, "ratings/rate.html", _form_context(d, error, request.POST), status=400)
    return render(request, "ratings/rate.html", _form_context(d))


@never_cache
@login_required(login_url="portal:citizen_login")
def owner_page(request, code):
    d = Dossier.objects.filter(code=code, applicant_account=request.user).first()
    if d is None:
        raise Http404
    why = services.ratable_refusal(d)
    if why:
        return render(request, "ratings/done.html", {"message": why})
    if request.method == "POST":
        error = _submit(request, d, channel=Channel.ONLINE, user=request.user)
        if error is None:
            return render(request, "ratings/done.html", {"message": _("Thank you: your rating was recorded.")})
        return render(request, "ratings/rate.html", _form_context(d, error, request.POST), status=400)
    return render(request, "ratings/rate.html", _form_context(d))


# --------------------------------------------------------------------------- counter tablet


def _kiosk_of(request) -> Kiosk | None:
    raw = request.COOKIES.get(KIOSK_COOKIE)
    if not raw:
        return None
    try:
        value = signing.Signer(salt=KIOSK_SALT).unsign(raw)
        pk, secret = value.split(".", 1)
    except (signing.BadSignature, ValueError):
        return None
    return Kiosk.objects.filter(pk=pk, secret=secret, active=True).select_related("unit").first()


@never_cache
def kiosk(request):
    """The counter tablet: the waiting screen (it reloads itself every few seconds), or the
    rating form of the dossier an official sent to it; after one rating, thanks, then the
    waiting screen again."""
    k = _kiosk_of(request)
    if k is None:
        return render(request, "ratings/kiosk.html", {"unpaired": True}, status=403)
    req = services.kiosk_request(k)
    if request.method == "POST":
        if req is None or str(req.dossier_id) != request.POST.get("dossier"):
            return redirect("ratings:kiosk")
        error = _submit(request, req.dossier, channel=Channel.KIOSK, kiosk=k)
        if error is None:
            return render(request, "ratings/kiosk.html", {"kiosk": k, "thanks": True})
        return render(request, "ratings/kiosk.html", {"kiosk": k, "req": req, **_form_context(req.dossier, error, request.POST)}, status=400)
    if req is None:
        return render(request, "ratings/kiosk.html", {"kiosk": k, "waiting": True})
    return render(request, "ratings/kiosk.html", {"kiosk": k, "req": req, **_form_context(req.dossier)})


@login_required
def kiosk_pair(request):
    """An official sets this device up as a counter tablet: the tablet keeps a signed
    cookie, the official is logged out, the waiting screen shows."""
    if not getattr(request.user, "is_official", False):
        raise PermissionDenied
    units = Unit.objects.filter(pk__in=services.kiosk_units(request.user)).order_by("name")
    if not units.exists():
        raise PermissionDenied
    error = None
    if request.method == "POST":
        unit = units.filter(pk=object_id(request.POST.get("unit"))).first()
        try:
            k = services.pair_kiosk(request.user, name=request.POST.get("name", ""), unit=unit)
        except services.RatingError as exc:
            error = " ".join(exc.messages)
        else:
            logout(request)
            resp = redirect("ratings:kiosk")
            resp.set_cookie(KIOSK_COOKIE, signing.Signer(salt=KIOSK_SALT).sign(f"{k.pk}.{k.secret}"), max_age=5 * 365 * 86400,
                            httponly=True, samesite="Lax", secure=request.is_secure())
            return resp
    return render(request, "ratings/kiosk_pair.html", {"units": units, "error": error})


@login_required
@require_POST
def kiosk_send(request, code):
    from xaso.dossiers import selectors as dossier_selectors

    if not getattr(request.user, "is_official", False):
        raise PermissionDenied
    d = get_object_or_404(Dossier, code=code)
    if not dossier_selectors.scope_dossiers(request.user).filter(pk=d.pk).exists():
        raise Http404
    k = get_object_or_404(Kiosk, pk=object_id(request.POST.get("kiosk")), active=True)
    try:
        services.send_to_kiosk(d, request.user, k)
    except services.RatingError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("The rating page is on “%(kiosk)s”: hand the tablet to the applicant.") % {"kiosk": k.name})
    return redirect("dossiers:detail", code=d.code)


# --------------------------------------------------------------------------- heads


@login_required
def follow_ups(request):
    from .selectors import follow_ups_for

    if not getattr(request.user, "is_official", False):
        raise PermissionDenied
    rows = follow_ups_for(request.user)
    return render(request, "ratings/follow_ups.html", {"open": rows.filter(answered_at__isnull=True), "answered": rows.filter(answered_at__isnull=False)[:50]})


@login_required
@require_POST
def answer(request, pk):
    from .selectors import follow_ups_for

    fu = get_object_or_404(follow_ups_for(request.user), pk=pk)
    try:
        services.answer(fu, request.user, text=request.POST.get("answer", ""))
    except services.RatingError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Answer recorded and sent to the applicant."))
    return redirect("ratings:follow_ups")



