"""The citizen's pages: submit a dossier online step by step (a draft saved at each step),
"Hồ sơ của tôi" (every dossier of the account, what is expected now, supplement, stop,
issued documents and the result), the guided finder and saved checklists.

Thin: every change goes through ``services``; reads through ``selectors``. Objects are
resolved through the account first (another person's draft, dossier or file is a 404),
then the state. Files are always sent as attachments. No JavaScript is needed."""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xaso.catalog.models import Procedure
from xaso.core.models import User
from xaso.dossiers import documents as dossier_documents
from xaso.dossiers import selectors as dossier_selectors
from xaso.dossiers.models import Delivery
from xaso.dossiers.services import DossierError
from xaso.vault import files as vault_files
from xaso.vault.views import citizen_required

from . import selectors, services
from .forms import ApplicantForm, DeliveryForm, StopForm
from .models import Checklist, LifeEvent

PUBLIC_KINDS = (User.Kind.CITIZEN, User.Kind.BUSINESS)
STEPS = [
    ("applicant", "portal:draft_applicant"),
    ("documents", "portal:draft_documents"),
    ("delivery", "portal:draft_delivery"),
    ("review", "portal:draft_review"),
]


def attachment(field_file, filename=None, content_type=None):
    """A stored file, always as an attachment (never shown inline by the browser)."""
    name = filename or field_file.name.rsplit("/", 1)[-1]
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=name)
    if content_type:
        response["Content-Type"] = content_type
    return response


def _messages_of(exc) -> list[str]:
    return list(exc.messages) if hasattr(exc, "messages") else [str(exc)]


def _error_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": list(exc.messages)}


# --------------------------------------------------------------------------- starting


def submit_start(request, code):
    """The procedure's "submit online" page: what is needed, and start (or continue) a draft."""
    procedure = get_object_or_404(Procedure, code=code)
    version = procedure.current_version()
    problem = selectors.online_problem(version)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("portal:citizen_login"))
        if request.user.kind not in PUBLIC_KINDS:
            raise PermissionDenied
        try:
            draft = services.start_draft(request.user, procedure, new=bool(request.POST.get("new")))
        except DossierError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("portal:submit_start", code=code)
        return redirect("portal:draft_applicant", pk=draft.public_id)
    existing = None
    if request.user.is_authenticated and request.user.kind in PUBLIC_KINDS:
        existing = selectors.drafts_of(request.user).filter(procedure=procedure).first()
    ctx = {
        "procedure": procedure, "version": version, "problem": problem, "existing": existing,
        "documents": selectors.required_documents(version, include_present=True) if version else [],
        "counter_allowed": bool(version) and selectors.counter_allowed(version), "limits": vault_files.limits(),
    }
    if version and not problem:
        ctx["fee_lines"], ctx["fee_total"], ctx["fee_undetermined"] = selectors.fee_preview(version)
    return render(request, "portal/submit_start.html", ctx)


# --------------------------------------------------------------------------- the draft


def _draft(request, pk):
    draft = selectors.draft_of(request.user, pk)
    if draft is None:
        raise Http404
    return draft


def _step_ctx(draft, current):
    problems = services.problems(draft)
    steps = []
    for n, (name, url_name) in enumerate(STEPS, start=1):
        steps.append({"n": n, "name": name, "url": reverse(url_name, args=[draft.public_id]), "current": name == current, "todo": name in problems})
    return {"draft": draft, "steps": steps, "procedure": draft.procedure, "version": draft.version, "step": current}


@citizen_required
def draft_resume(request, pk):
    draft = _draft(request, pk)
    if draft.submitted:
        return redirect("portal:my_dossier", code=draft.dossier.code)
    url = dict(STEPS).get(draft.step, "portal:draft_applicant")
    return redirect(url, pk=draft.public_id)


def _if_submitted(draft):
    if draft.submitted:
        return redirect("portal:my_dossier", code=draft.dossier.code)
    return None


@citizen_required
def draft_applicant(request, pk):
    draft = _draft(request, pk)
    if (done := _if_submitted(draft)) is not None:
        return done
    saved = draft.data.get("applicant") or {}
    default_role = "business" if request.user.kind == User.Kind.BUSINESS else "self"
    role = request.POST.get("role") or request.GET.get("vai-tro") or saved.get("role") or default_role
    if role not in services.ROLES:
        role = default_role
    initial = saved if saved.get("role") == role else services.prefill_applicant(request.user, role)
    form = ApplicantForm(request.POST or None, role=role, initial={**initial, "role": role})
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.save_applicant(draft, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
            status = 400
        except DossierError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("portal:draft_documents", pk=draft.public_id)
    roles = [("self", _("For myself")), ("agent", _("For someone else (authorised)")), ("business", _("For an organisation or business"))]
    return render(request, "portal/draft_applicant.html", {**_step_ctx(draft, "applicant"), "form": form, "role": role, "roles": roles}, status=status)


@citizen_required
def draft_documents(request, pk):
    draft = _draft(request, pk)
    if (done := _if_submitted(draft)) is not None:
        return done
    return _documents_page(request, draft)


def _documents_page(request, draft, errors=None, status=200):
    docs = selectors.documents_of_draft(draft)
    total = sum(f.size for d in docs for f in d.files) + sum(d.vault_document.size for d in docs if d.vault_document is not None)
    ctx = {
        **_step_ctx(draft, "documents"), "docs": docs, "errors": errors or {}, "limits": vault_files.limits(),
        "counter_allowed": selectors.counter_allowed(draft.version), "total_mb": vault_files.mb(total), "accept": vault_files.ACCEPT_ATTRIBUTE,
    }
    return render(request, "portal/draft_documents.html", ctx, status=status)


@citizen_required
@require_POST
def draft_document(request, pk, index):
    """One required document's form: upload files, use a vault document, bring it to the
    counter, or remove or move a file."""
    draft = _draft(request, pk)
    if (done := _if_submitted(draft)) is not None:
        return done
    action = request.POST.get("action", "")
    try:
        if action == "upload":
            services.add_files(draft, index, request.FILES.getlist("files"))
        elif action == "vault":
            services.choose(draft, index, "vault", request.POST.get("vault"))
        elif action == "counter":
            services.choose(draft, index, "counter")
        elif action == "files":
            services.choose(draft, index, "upload")
        elif action.startswith(("remove:", "up:", "down:")):
            verb, _sep, file_id = action.partition(":")
            if verb == "remove":
                services.remove_file(draft, file_id)
            else:
                services.move_file(draft, file_id, up=verb == "up")
        else:
            raise DossierError(_("Unknown action."))
    except ValidationError as exc:
        errs = [m for msgs in _error_dict(exc).values() for m in msgs] if hasattr(exc, "error_dict") else _messages_of(exc)
        return _documents_page(request, draft, errors={int(index): errs}, status=400)
    return redirect(reverse("portal:draft_documents", args=[draft.public_id]) + f"#doc-{index}")


@citizen_required
def draft_file(request, pk, file_id):
    draft = _draft(request, pk)
    f = get_object_or_404(draft.files, pk=file_id)
    return attachment(f.file, f.file.name.rsplit("/", 1)[-1], f.content_type)


@citizen_required
def draft_delivery(request, pk):
    draft = _draft(request, pk)
    if (done := _if_submitted(draft)) is not None:
        return done
    desks = selectors.desks()
    per_unit = [line for line in selectors.fee_lines(draft.version) if line["kind"] == "per_unit"]
    saved = draft.data.get("delivery") or {}
    default = selectors.default_commune_id(desks)
    initial = {
        "commune": saved.get("commune", default), "delivery": saved.get("delivery", Delivery.ONLINE),
        "pickup": saved.get("pickup") or saved.get("commune", default), "post_address": saved.get("post_address", ""),
        "request_summary": saved.get("request_summary", ""),
        **{f"qty_{k}": v for k, v in (saved.get("quantities") or {}).items()},
    }
    if not initial["post_address"]:
        initial["post_address"] = (draft.data.get("applicant") or {}).get("address", "")
    form = DeliveryForm(request.POST or None, desks=desks, per_unit_lines=per_unit, initial=initial)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.save_delivery(draft, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
            status = 400
        else:
            return redirect("portal:draft_review", pk=draft.public_id)
    quantities = {}
    for line in per_unit:
        value = form.data.get(f"qty_{line['line']}") if form.is_bound else initial.get(f"qty_{line['line']}", 1)
        if str(value or "").isdigit():
            quantities[line["line"]] = int(value)
    lines, total, undetermined = selectors.fee_preview(draft.version, quantities)
    ctx = {**_step_ctx(draft, "delivery"), "form": form, "fee_lines": lines, "fee_total": total, "fee_undetermined": undetermined, "desks": desks}
    return render(request, "portal/draft_delivery.html", ctx, status=status)


@citizen_required
def draft_review(request, pk):
    draft = _draft(request, pk)
    if request.method == "POST":
        try:
            d = services.submit(draft, request.user)
        except ValidationError as exc:
            messages.error(request, _("The dossier cannot be submitted yet: complete the steps marked below."))
            status = 400
            problems = _error_dict(exc)
        except DossierError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("portal:draft_review", pk=draft.public_id)
        else:
            if d.replayed:
                messages.info(request, _("This dossier was already submitted (%(code)s); nothing was sent twice.") % {"code": d.code})
            else:
                messages.success(request, _("Your dossier was submitted. Its code is %(code)s.") % {"code": d.code})
            return redirect(reverse("portal:my_dossier", args=[d.code]) + "?moi=1")
    else:
        if (done := _if_submitted(draft)) is not None:
            return done
        status, problems = 200, services.problems(draft)
    delivery = draft.data.get("delivery") or {}
    desks = {d.commune.pk: d for d in selectors.desks()}
    lines, total, undetermined = selectors.fee_preview(draft.version, delivery.get("quantities"))
    ctx = {
        **_step_ctx(draft, "review"), "applicant": draft.data.get("applicant") or {}, "docs": selectors.documents_of_draft(draft),
        "delivery": delivery, "delivery_label": dict(Delivery.choices).get(delivery.get("delivery"), ""),
        "commune": desks.get(delivery.get("commune")), "pickup": desks.get(delivery.get("pickup")),
        "fee_lines": lines, "fee_total": total, "fee_undetermined": undetermined, "problems": problems,
    }
    return render(request, "portal/draft_review.html", ctx, status=status)


@citizen_required
@require_POST
def draft_delete(request, pk):
    draft = _draft(request, pk)
    try:
        services.delete_draft(draft)
    except DossierError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The draft was deleted."))
    return redirect("portal:my_dossiers")


# --------------------------------------------------------------------------- my dossiers


@citizen_required
def my_dossiers(request):
    qs = selectors.my_dossiers(request.user).annotate(paid=Sum("fee_payments__amount"))
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    rows = []
    for d in page.object_list:
        fees = selectors.Fees(amount=d.fee_amount, paid=d.paid or 0, undetermined=d.fee_undetermined)
        rows.append({"d": d, "status": selectors.plain_status(d), "expected": selectors.expected_now(d, fees), "due": selectors.due_text(d)})
    return render(request, "portal/my_dossiers.html", {"rows": rows, "page": page, "drafts": selectors.drafts_of(request.user)[:20]})


def _mine(request, code):
    d = selectors.dossier_of(request.user, code)
    if d is None:
        raise Http404
    return d


@citizen_required
def my_dossier(request, code):
    d = _mine(request, code)
    fees = selectors.fees(d)
    ctx = {
        "d": d, "status": selectors.plain_status(d), "expected": selectors.expected_now(d, fees), "fees": fees,
        "fee_rows": dossier_documents.fee_rows(d),
        "payments": list(d.fee_payments.all()), "history": dossier_selectors.public_history(d),
        "documents": selectors.issued_documents(d), "components": list(d.components.all()),
        "supplement": selectors.supplement_request(d), "can_stop": selectors.can_stop(d), "due": selectors.due_text(d),
        "new": request.GET.get("moi") == "1", "closed": selectors.is_closed(d),
    }
    return render(request, "portal/my_dossier.html", ctx)


@citizen_required
def supplement(request, code):
    d = _mine(request, code)
    request_ = selectors.supplement_request(d)
    if request_ is None:
        messages.info(request, _("No supplement is asked for this dossier now."))
        return redirect("portal:my_dossier", code=d.code)
    items = request_["items"] or [_("Supplement")]
    from xaso.vault.selectors import documents_of

    vault = [doc for doc in documents_of(request.user) if doc.is_valid()]
    errors, status = {}, 200
    if request.method == "POST":
        answers = [{"item": item, "files": request.FILES.getlist(f"item_{i}_files"), "vault": request.POST.get(f"item_{i}_vault") or None} for i, item in enumerate(items)]
        try:
            services.answer_supplement(request.user, d, answers, note=request.POST.get("note", ""))
        except ValidationError as exc:
            errors, status = _error_dict(exc), 400
        except DossierError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("portal:my_dossier", code=d.code)
        else:
            messages.success(request, _("Your supplement was sent. The dossier goes on."))
            return redirect("portal:my_dossier", code=d.code)
    rows = [{"i": i, "item": item, "errors": errors.get(f"item_{i}", [])} for i, item in enumerate(items)]
    ctx = {"d": d, "request_": request_, "rows": rows, "vault": vault, "limits": vault_files.limits(), "accept": vault_files.ACCEPT_ATTRIBUTE,
           "general_errors": errors.get("__all__", [])}
    return render(request, "portal/supplement.html", ctx, status=status)


@citizen_required
def stop(request, code):
    d = _mine(request, code)
    if not selectors.can_stop(d):
        messages.info(request, _("This dossier can no longer be stopped: a decision or a result already exists."))
        return redirect("portal:my_dossier", code=d.code)
    form = StopForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.ask_to_stop(request.user, d, form.cleaned_data["reasons"])
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            except DossierError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("portal:my_dossier", code=d.code)
            else:
                messages.success(request, _("The handling of dossier %(code)s was stopped at your request. The stop notice is in the list of documents.") % {"code": d.code})
                return redirect("portal:my_dossier", code=d.code)
        else:
            status = 400
    return render(request, "portal/stop.html", {"d": d, "form": form, "status": selectors.plain_status(d)}, status=status)


@citizen_required
def issued_document(request, code, pk):
    """A form issued for the dossier, as the signed PDF the officer printed."""
    from xaso.core.signing import SigningError
    from xaso.dossiers import documents

    d = _mine(request, code)
    doc = get_object_or_404(selectors.issued_documents(d), pk=pk)
    try:
        data = documents.render_pdf(doc)
    except SigningError as exc:
        messages.error(request, str(exc))
        return redirect("portal:my_dossier", code=d.code)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{d.code}-{doc.kind}-{doc.number}.pdf"'
    return response


@citizen_required
def result(request, code):
    d = _mine(request, code)
    if not d.result_file:
        raise Http404
    return attachment(d.result_file, f"{d.code}-ket-qua.{d.result_file.name.rsplit('.', 1)[-1]}")


@citizen_required
def component_file(request, code, pk):
    d = _mine(request, code)
    comp = get_object_or_404(d.components, pk=pk)
    if not comp.file:
        raise Http404
    return attachment(comp.file, content_type=comp.content_type or None)


# --------------------------------------------------------------------------- finder and checklists


def finder(request):
    query = request.GET.get("q", "").strip()[:100]
    return render(request, "portal/finder.html", {"events": selectors.life_events(query), "query": query})


def finder_event(request, slug):
    event = get_object_or_404(LifeEvent.objects.prefetch_related("questions__answers"), slug=slug, active=True)
    answers = {}
    for q in event.questions.all():
        value = request.GET.get(f"q{q.pk}", "")
        if value.isdigit():
            answers[q.pk] = int(value)
    procedures, notes = selectors.finder_result(event, answers)
    items = []
    for p in procedures:
        version = p.current_version()
        items.append({"procedure": p, "version": version, "online": version is not None and not selectors.online_problem(version),
                      "documents": selectors.required_documents(version, include_present=True) if version else []})
    answered = bool(answers) or not event.questions.exists()
    return render(request, "portal/finder_event.html", {"event": event, "answers": answers, "items": items, "notes": notes, "answered": answered})


@citizen_required
def checklists(request):
    return render(request, "portal/checklists.html", {"checklists": Checklist.objects.filter(owner=request.user)})


@citizen_required
@require_POST
def checklist_save(request):
    procedure = get_object_or_404(Procedure, code=request.POST.get("procedure", ""))
    event = LifeEvent.objects.filter(slug=request.POST.get("event", "")).first()
    try:
        checklist = services.save_checklist(request.user, procedure, event)
    except DossierError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("portal:finder")
    messages.success(request, _("The checklist was saved in your account."))
    return redirect("portal:checklist", pk=checklist.pk)


@citizen_required
def checklist(request, pk):
    item = get_object_or_404(Checklist, pk=pk, owner=request.user)
    return render(request, "portal/checklist.html", {"checklist": item})


@citizen_required
@require_POST
def checklist_delete(request, pk):
    item = get_object_or_404(Checklist, pk=pk, owner=request.user)
    services.delete_checklist(request.user, item)
    messages.success(request, _("The checklist was deleted."))
    return redirect("portal:checklists")
