"""Staff pages (worklists, counter intake, the dossier page, documents) and the public
lookup. Thin: every change goes through ``services``; reads through ``selectors``."""
from datetime import date, timedelta
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xaso.core import audit
from xaso.core.models import Unit
from xaso.core.ratelimits import Limit, count, exhausted, over_limit
from xaso.core.refcache import ttl_memo
from xaso.core.signing import SigningError

from . import documents, selectors, services, states
from .forms import FeePaymentForm, IntakeForm, form_for
from .models import STATUS_CHOICES, Channel, Dossier, DocumentKind, PaymentMethod, action_button
from .services import ComponentIn, DossierError


def official_required(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not getattr(request.user, "is_official", False):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _dossier_for(request, code) -> Dossier:
    """The dossier through the caller's scope first: 404 outside it, as for a code that does
    not exist (then each view checks the role, then the state)."""
    d = selectors.dossier_for(request.user, code)
    if d is None:
        raise Http404
    return d


@official_required
def my_work(request):
    f = {k: request.GET.get(k, "") for k in ("procedure", "field", "status", "channel", "unit")}
    # Filters with a fixed set of values (a link edited by hand, an old bookmark): a value
    # that cannot be one is dropped with a message, not sent to the database.
    valid = {"status": {s for s, _label in STATUS_CHOICES}, "channel": {str(c) for c in Channel.values}}
    for key, values in valid.items():
        if f[key] and f[key] not in values:
            messages.warning(request, _("The filter “%(value)s” is not valid and was ignored.") % {"value": f[key][:40]})
            f[key] = ""
    if f["unit"] and not (f["unit"].isascii() and f["unit"].isdigit() and len(f["unit"]) < 19):
        messages.warning(request, _("The filter “%(value)s” is not valid and was ignored.") % {"value": f["unit"][:40]})
        f["unit"] = ""
    qs = selectors.worklist(request.user, **f)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    cal = services.get_calendar()
    rows = selectors.with_clocks(page.object_list, cal)
    scope = services.scope_ids(request.user)
    ctx = {
        "rows": rows,
        "page": page,
        "filters": f,
        "statuses": STATUS_CHOICES,
        "channels": Channel.choices,
        "units": ttl_memo(("unit-names", frozenset(scope)), lambda: list(Unit.objects.filter(pk__in=scope).order_by("name").values_list("pk", "name"))),
        "fields": ttl_memo(("field-names",), _field_names),
        "day_length_hours": cal.day_length.total_seconds() / 3600,
    }
    return render(request, "dossiers/my_work.html", ctx)


def _field_names():
    from xaso.catalog.models import Field

    return list(Field.objects.values_list("name", flat=True))


@official_required
def desk(request):
    lists = selectors.desk(request.user)
    cal = services.get_calendar()
    ctx = {k: selectors.with_clocks(v, cal) for k, v in lists.items()}
    ctx["can_intake"] = bool(services.scope_ids(request.user, "reception"))
    return render(request, "dossiers/desk.html", ctx)


def _procedure_choices():
    from xaso.catalog.models import Procedure

    return Procedure.objects.order_by("-is_frequent", "name").only("code", "name")


@official_required
def intake(request):
    desk_units = Unit.objects.filter(pk__in=services.scope_ids(request.user, "reception"), identifier__gt="").order_by("name")
    if not desk_units.exists():
        raise PermissionDenied
    code = request.GET.get("procedure") or request.POST.get("procedure")
    if not code:
        return render(request, "dossiers/intake_choose.html", {"procedures": _procedure_choices()})
    from xaso.catalog.models import Procedure

    procedure = get_object_or_404(Procedure, code=code)
    version = procedure.current_version()
    if version is None:
        messages.error(request, _("This procedure has no version in force."))
        return redirect("dossiers:intake")
    first_unit = desk_units.first()
    try:
        terms = services.terms_from_version(version, first_unit.local_government or first_unit)
    except DossierError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("dossiers:intake")
    form = IntakeForm(request.POST or None, request.FILES or None, documents=terms.documents, receiving_units=desk_units, fee=terms.fee, fee_lines=terms.fee_lines)
    if request.FILES and uploads_limited(request):
        messages.error(request, uploads_limited_message())
        return render(request, "dossiers/intake.html", {"form": form, "procedure": procedure, "version": version, "terms": terms}, status=429)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        unit = cd["receiving_unit"]
        if unit.local_government and unit.local_government != (first_unit.local_government or first_unit):
            terms = services.terms_from_version(version, unit.local_government)
        comps = [
            ComponentIn(
                name=doc["name"],
                mandatory=doc["mandatory"],
                submitted=cd[f"doc_{i}_submitted"],
                reused=cd[f"doc_{i}_reused"],
                file=cd[f"doc_{i}_file"],
                digitised=cd[f"doc_{i}_file"] is not None,
            )
            for i, doc in enumerate(terms.documents)
        ]
        applicant = services.Applicant(
            kind=cd["applicant_kind"],
            name=cd["applicant_name"],
            id_number=cd["applicant_id_number"],
            address=cd["applicant_address"],
            phone=cd["applicant_phone"],
            email=cd["applicant_email"],
            agent_name=cd["agent_name"],
            agent_id_number=cd["agent_id_number"],
            agent_address=cd["agent_address"],
            agent_phone=cd["agent_phone"],
            agent_email=cd["agent_email"],
            authorisation_document=cd["authorisation_document"],
            account=cd["account_phone"],
        )
        try:
            with transaction.atomic():  # the dossier and the fees collected with it, or nothing
                d = services.intake(
                    officer=request.user,
                    terms=terms,
                    applicant=applicant,
                    components=[c for c in comps if c.submitted],
                    receiving_unit=unit,
                    channel=cd["channel"],
                    delivery=cd["delivery"],
                    request_summary=cd["request_summary"],
                    copies=cd["copies"],
                    fee_quantities=form.fee_quantities(),
                    request_key=cd["request_key"],
                )
                if cd.get("fee_collected") and not d.replayed:
                    services.record_fee_payment(d, request.user, amount=cd["fee_collected"], method=cd["fee_method"] or PaymentMethod.CASH, reference=cd["fee_reference"])
        except DossierError as exc:
            form.add_error(None, exc)
        else:
            if d.replayed:
                messages.info(request, _("This form was already sent: dossier %(code)s was received once, nothing was added.") % {"code": d.code})
            else:
                messages.success(request, _("Dossier %(code)s received. Print the receipt and appointment slip.") % {"code": d.code})
            return redirect("dossiers:detail", code=d.code)
    return render(request, "dossiers/intake.html", {"form": form, "procedure": procedure, "version": version, "terms": terms})


def VERDICTS():
    return {"early": _("Before time"), "on_time": _("On time"), "late": _("Late")}


# The applicant's personal data a page, a slip or the book shows (audited reads).
PERSONAL_FIELDS = ["applicant_name", "applicant_id_number", "applicant_phone", "applicant_address"]


@official_required
def detail(request, code):
    d = _dossier_for(request, code)
    audit.record_read(d, PERSONAL_FIELDS)
    cal = services.get_calendar()
    clock = services.clock(d, calendar=cal)
    allowed = services.allowed_actions(d, request.user)
    action_forms = [(a, action_button(a), form_for(a, d)) for a in allowed]
    timeline = sorted(
        [("event", e.at, e) for e in d.events.select_related("actor", "unit")]
        + [("pause", p.started_at, p) for p in d.pauses.all()],
        key=lambda t: t[1],
    )
    ctx = {
        "d": d,
        "clock": clock,
        "day_hours": cal.day_length.total_seconds() / 3600,
        "time_left": selectors.time_phrase(clock, cal.day_length) if clock else "",
        "action_forms": action_forms,
        "seen": (selectors.last_event(d) or {}).get("id", ""),
        "timeline": timeline,
        "components": d.components.all(),
        "steps": documents.control_rows(d),
        "docs": d.documents.all(),
        "apology": getattr(d, "apology", None) if hasattr(d, "apology") else None,
        "overdue_without_apology": bool(clock and clock.overdue and not hasattr(d, "apology")),
        "verdict": VERDICTS().get(selectors.timeliness_of(d), ""),
    }
    from .extensions import detail_panels

    ctx["panels"] = [p for p in (panel(request, d) for panel in detail_panels) if p]  # payments, ratings
    ctx["fee_rows"] = documents.fee_rows(d)
    if d.fee_amount:
        payments = list(d.fee_payments.select_related("recorded_by"))
        due = d.fee_amount - sum(p.amount for p in payments)
        ctx["fee_payments"], ctx["fee_due"] = payments, due
        if due > 0 and services.fee_payment_refusal(d, request.user, PaymentMethod.CASH) is None:
            ctx["fee_form"] = FeePaymentForm(prefix="fee", initial={"amount": due})
    return render(request, "dossiers/detail.html", ctx)


@official_required
@require_POST
def fee_payment(request, code):
    """Fees collected at the counter (cash or bank transfer), by the reception desk."""
    d = _dossier_for(request, code)
    form = FeePaymentForm(request.POST, prefix="fee")
    if not form.is_valid():
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form[field].label if field in form.fields else ''}: {e}".strip(": "))
        return redirect("dossiers:detail", code=d.code)
    try:
        p = services.record_fee_payment(d, request.user, **form.cleaned_data)
    except DossierError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Payment recorded: %(amount)s.") % {"amount": services.vnd(p.amount)})
    return redirect("dossiers:detail", code=d.code)


@official_required
@require_POST
def act(request, code, action):
    d = _dossier_for(request, code)
    try:
        action = states.Action(action)
    except ValueError:
        raise Http404
    if request.FILES and uploads_limited(request):
        messages.error(request, uploads_limited_message())
        return redirect("dossiers:detail", code=d.code)
    stale = _stale_form(request, d, action)
    if stale:
        level, text = stale
        messages.add_message(request, level, text)
        return redirect("dossiers:detail", code=d.code)
    form = form_for(action, d, request.POST, request.FILES)
    if not form.is_valid():
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form[field].label if field in form.fields else ''}: {e}".strip(": "))
        return redirect("dossiers:detail", code=d.code)
    try:
        services.perform(action, d, request.user, form.cleaned_data)
    except DossierError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": action_button(action)})
    return redirect("dossiers:detail", code=d.code)


def _stale_form(request, d, action):
    """An action form carries the id of the dossier's last event when the page was drawn
    (``seen``). Sent after the dossier changed, it is not acted on: a double click or a
    resent form whose action is already the last event, by the same official, says so; any
    other change (a colleague acted meanwhile) asks to look again. None: act."""
    seen = request.POST.get("seen", "")
    if not seen.isdigit():
        return None  # a form without it (older page): the state checks still apply
    last = selectors.last_event(d)
    if last is None or last["id"] == int(seen):
        return None
    if selectors.resent_action(last, action, request.user):
        return messages.INFO, _("Already done: %(action)s. The form was sent again; nothing more was changed.") % {"action": action_button(action)}
    return messages.WARNING, selectors.changed_since(last)


@login_required
@require_safe
def builtin_form_templates(request, kind=None, fmt=None):
    """The built-in form templates, to download and start a replacement from (for those who
    may upload templates in the admin)."""
    if not (request.user.is_superuser or request.user.has_perm("dossiers.add_formtemplate")):
        raise PermissionDenied
    if kind is None:
        kinds = [(k.value, k.label) for k in DocumentKind]
        return render(request, "dossiers/form_templates.html", {"kinds": kinds})
    if kind not in DocumentKind.values or fmt not in ("html", "docx"):
        raise Http404
    from xaso.core.uploads import HTML_TEMPLATE, attachment_response

    if fmt == "html":
        from django.template.loader import get_template

        data = Path(get_template(f"dossiers/forms/{kind}.html").origin.name).read_bytes()
        return attachment_response(data, f"{kind}.html", HTML_TEMPLATE)
    return attachment_response((documents.BUILTIN_DOCX / f"{kind}.docx").read_bytes(), f"{kind}.docx", DOCX)


def _file_response(data, filename, content_type):
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f'inline; filename="{filename}"'
    return resp


PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _signed_pdf_response(request, d, doc, filename):
    """The form as a signed PDF; when signing is configured but fails, no unsigned PDF:
    back to the dossier page with the reason (the cause is in the log)."""
    try:
        data = documents.render_pdf(doc)
    except SigningError as exc:
        messages.error(request, str(exc))
        return redirect("dossiers:detail", code=d.code)
    return _file_response(data, filename, PDF)


@official_required
@require_safe
def document(request, code, pk, fmt):
    if fmt not in ("pdf", "docx"):
        raise Http404
    d = _dossier_for(request, code)
    doc = get_object_or_404(d.documents, pk=pk)
    # A slip prints the applicant's personal data: a read, in the audit trail.
    audit.record_read(d, PERSONAL_FIELDS, reason=f"{doc.kind} {doc.number}/{doc.year} ({fmt})")
    name = f"{d.code}-{doc.kind}-{doc.number}"
    if fmt == "pdf":
        return _signed_pdf_response(request, d, doc, f"{name}.pdf")
    return _file_response(documents.render_docx(doc), f"{name}.docx", DOCX)


@official_required
@require_safe
def control_sheet(request, code, fmt):
    if fmt not in ("pdf", "docx"):
        raise Http404
    d = _dossier_for(request, code)
    doc = documents.control_sheet(d, request.user)
    audit.record_read(d, PERSONAL_FIELDS, reason=f"control {doc.number}/{doc.year} ({fmt})")
    if fmt == "pdf":
        return _signed_pdf_response(request, d, doc, f"{d.code}-phieu-kiem-soat.pdf")
    return _file_response(documents.render_docx(doc), f"{d.code}-phieu-kiem-soat.docx", DOCX)


@official_required
@require_safe
def stored_file(request, code, what, pk=None):
    """A file of the dossier (a component's scan, the electronic result), always as an
    attachment with the sandbox headers (``xaso.core.uploads.attachment_response``): a file
    a citizen uploaded never runs in an official's browser."""
    from xaso.core.uploads import attachment_response, stored_content_type

    d = _dossier_for(request, code)
    component = None
    if what == "ket-qua":
        f, recorded = d.result_file, ""
    else:
        component = get_object_or_404(d.components, pk=pk)
        f, recorded = component.file, component.content_type
    if not f:
        raise Http404
    # A component's read is logged on the component: its owner sees who opened which of
    # their documents (the vault's access log).
    audit.record_read(component or d, [what] if component is None else ["file"])
    return attachment_response(f.open("rb"), f.name.rsplit("/", 1)[-1], stored_content_type(f, recorded))


@official_required
@require_safe
def tracking_book(request):
    units = Unit.objects.filter(pk__in=services.scope_ids(request.user)).order_by("name")
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("from", "")) if request.GET.get("from") else today.replace(day=1)
        end = date.fromisoformat(request.GET.get("to", "")) if request.GET.get("to") else today
    except ValueError:
        messages.error(request, _("Enter dates as YYYY-MM-DD."))
        start, end = today.replace(day=1), today
    unit_id = request.GET.get("unit", "")
    if unit_id and request.GET.get("download"):
        if not (unit_id.isascii() and unit_id.isdigit() and len(unit_id) < 19):
            raise Http404
        unit = get_object_or_404(units, pk=unit_id)
        if end < start or (end - start) > timedelta(days=366):
            messages.error(request, _("The period must be at most one year, and end after it starts."))
        else:
            data = documents.tracking_book(unit, start, end, field=request.GET.get("field") or None)
            # The book lists every applicant of the period: one read of them all, audited.
            audit.record_read(unit, ["tracking_book: " + ", ".join(PERSONAL_FIELDS)], reason=f"{start:%Y-%m-%d}..{end:%Y-%m-%d} {request.GET.get('field') or ''}".strip())
            return _file_response(
                data, f"so-theo-doi-{start:%Y%m%d}-{end:%Y%m%d}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
    fields = _field_names() if services.tracking_book_per() == "field" else []
    return render(request, "dossiers/book.html", {"units": units, "start": start, "end": end, "fields": fields})


# ------------------------------------------------------------------ public


def lookup(request):
    """Public lookup by code and the last 4 digits of the phone or ID, or the lookup secret
    (QR code). Rate-limited per address (every method counts) and per code (a few wrong
    keys per hour); a wrong key and an unknown code get the same page."""
    code = request.GET.get("ma", "").strip()
    key = request.GET.get("k", "").strip()
    ctx = {"code": code, "key": key, "searched": bool(code)}
    status = 200
    if code:
        if lookup_rate_exceeded(request):
            ctx["error"] = _("Too many lookups from your connection. Please wait a minute and try again.")
            status = 429
        else:
            d, locked = find_for_lookup(request, code, key)
            if locked:
                ctx["error"] = CODE_LOCKED_MESSAGE()
                status = 429
            elif d is None:
                ctx["error"] = _("No dossier matches this code and these digits. Check the code on your receipt and the last 4 digits of the phone number or identification number you gave.")
            else:
                ctx["d"] = d
                ctx["history"] = selectors.public_history(d)
    if request.method not in ("GET", "HEAD"):
        status = 405
    response = render(request, "dossiers/lookup.html", ctx, status=status)
    add_never_cache_headers(response)  # a dossier's status and history: never cached
    if status == 405:
        response["Allow"] = "GET, HEAD"
    return response


def upload_limits():
    """Files sent per account and per address (``XASO_UPLOAD_RATE``,
    ``XASO_UPLOAD_RATE_PER_IP``): the pages and the API count against the same budget."""
    from django.conf import settings

    return [
        Limit("user", getattr(settings, "XASO_UPLOAD_RATE", "60/h")),
        Limit("ip", getattr(settings, "XASO_UPLOAD_RATE_PER_IP", "300/h")),
    ]


def uploads_limited(request) -> bool:
    """Count a request that carries files (whatever its method) against ``upload_limits``;
    true once over."""
    return over_limit(request, "uploads", upload_limits())


def uploads_limited_message():
    return _("Too many files were sent from your account or connection. Please wait and try again later.")


def _lookup_rate():
    from django.conf import settings

    return getattr(settings, "XASO_LOOKUP_RATE", "30/m")


def _lookup_rate_per_code():
    from django.conf import settings

    return getattr(settings, "XASO_LOOKUP_RATE_PER_CODE", "5/h")


def CODE_LOCKED_MESSAGE():  # noqa: N802 - a message, translated when used
    return _("Too many wrong digits were tried for this dossier code. Please wait an hour and try again, or ask the one-stop centre.")


def lookup_rate_exceeded(request) -> bool:
    """Count one public lookup request (page or API, whatever its HTTP method) against the
    caller's address; true once over ``XASO_LOOKUP_RATE``."""
    return over_limit(request, "dossier-lookup", [Limit("ip", _lookup_rate())])


def find_for_lookup(request, code: str, key: str):
    """``(dossier or None, locked)``. A code that had ``XASO_LOOKUP_RATE_PER_CODE`` wrong
    keys in the window is locked (from every address, for the right key too, until the
    window ends); each failed attempt counts for its code, known or not, so that a locked
    or failing unknown code looks like a known one."""
    normalised = (code or "").strip().upper()[:64]
    limit = Limit("key", _lookup_rate_per_code(), normalised)
    if exhausted(request, "dossier-lookup-code", limit):
        return None, True
    d = selectors.public_lookup(code, key)
    if d is None:
        count(request, "dossier-lookup-code", [limit])
    return d, False
