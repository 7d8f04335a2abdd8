"""The vault's pages: the person's own documents (list, add, details with who opened them,
download, delete), and for the reception desk, the applicant's documents to reuse for a
dossier at the counter. Every download is this permission-checked view, as an attachment;
a document of another person is "not found"."""
from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from xaso.core.forms import AccessibleFormMixin
from xaso.core.input_guard import object_id
from xaso.dossiers.models import Dossier

from . import files, selectors, services
from .models import Document, DocumentType


def citizen_required(view):
    """Logged in as a citizen or business (else to the phone login, and back here after);
    officials are refused (403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("portal:citizen_login"))
        if request.user.kind not in services.PUBLIC_KINDS:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


_citizen = citizen_required


def attachment(document: Document):
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename)
    response["Content-Type"] = document.content_type or "application/octet-stream"
    return response


class DocumentForm(AccessibleFormMixin, forms.Form):
    doc_type = forms.ModelChoiceField(label=gettext_lazy("Kind of document"), queryset=DocumentType.objects.none(), empty_label=gettext_lazy("— choose —"))
    title = forms.CharField(label=gettext_lazy("Name of the document"), max_length=500, required=False, help_text=gettext_lazy("e.g. “Giấy chứng sinh của bé Lan”; empty: the kind of document."))
    number = forms.CharField(label=gettext_lazy("Number"), max_length=100, required=False)
    issuer = forms.CharField(label=gettext_lazy("Issued by"), max_length=255, required=False)
    issued_on = forms.DateField(label=gettext_lazy("Date of issue"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    valid_until = forms.DateField(label=gettext_lazy("Valid until"), required=False, help_text=gettext_lazy("Empty if it does not expire."), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, with_file=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].queryset = DocumentType.objects.filter(active=True).exclude(code=selectors.RESULT_TYPE).order_by("name")
        self.fields["doc_type"].widget.attrs["class"] = "form-select"
        if with_file:
            self.fields["file"] = forms.FileField(
                label=_("File or photo"), allow_empty_file=True,  # refused by the service, naming the file widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT_ATTRIBUTE, "class": "form-control"}),
                help_text=_("A photo (JPEG, PNG), a PDF or a Word file; at most %(mb)d MB. Photos are made smaller and their location data removed.") % {"mb": files.limits()["file_mb"]},
            )


@_citizen
def vault(request):
    form = DocumentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                doc = services.upload(request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None if hasattr(exc, "error_dict") else "file", exc)
                status = 400
            else:
                messages.success(request, _("“%(title)s” is in your vault.") % {"title": doc.title})
                return redirect("vault:document", pk=doc.pk)
        else:
            status = 400
    docs = list(selectors.documents_of(request.user).order_by("doc_type__sort_order", "-issued_on", "-created_at"))
    return render(request, "vault/list.html", {"docs": docs, "form": form, "limits": files.limits()}, status=status)


def _mine(request, pk) -> Document:
    doc = selectors.document_of(request.user, pk)
    if doc is None:
        raise Http404
    return doc


@_citizen
def document(request, pk):
    doc = _mine(request, pk)
    initial = {k: getattr(doc, k) for k in ("doc_type", "title", "number", "issuer", "issued_on", "valid_until")}
    form = DocumentForm(request.POST or None, initial=initial, with_file=False)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update(request.user, doc, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            else:
                messages.success(request, _("The details were saved."))
                return redirect("vault:document", pk=doc.pk)
        else:
            status = 400
    ctx = {"doc": doc, "form": form, "log": selectors.access_log(request.user, doc), "uses": doc.reuses.select_related("dossier").order_by("-at")}
    return render(request, "vault/document.html", ctx, status=status)


@_citizen
def download(request, pk):
    return attachment(_mine(request, pk))


@_citizen
@require_POST
def delete(request, pk):
    doc = _mine(request, pk)
    try:
        services.delete(request.user, doc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("vault:document", pk=doc.pk)
    messages.success(request, _("“%(title)s” was deleted from your vault.") % {"title": doc.title})
    return redirect("vault:list")


@_citizen
def access_log(request):
    return render(request, "vault/access_log.html", {"log": selectors.access_log(request.user)})


# --------------------------------------------------------------------------- the reception desk


def _desk_dossier(request, code) -> Dossier:
    """The dossier, for a reception officer of its receiving unit (others: 404/403)."""
    from xaso.dossiers.services import scope_ids

    if not request.user.is_authenticated:
        raise Http404
    if not getattr(request.user, "is_official", False):
        raise PermissionDenied
    d = get_object_or_404(Dossier, code=code)
    if d.receiving_unit_id not in scope_ids(request.user, "reception"):
        raise Http404
    return d


@never_cache
def desk_vault(request, code):
    """The applicant's valid documents matching the dossier's components, to reuse one at the
    counter. Each document shown is logged as a read of its details."""
    d = _desk_dossier(request, code)
    owner = services._owner_of(d)
    rows = []
    if owner is not None:
        candidates = selectors.types()
        for comp in d.components.filter(submitted=True).order_by("id"):
            doc_type = selectors.type_for(comp.name, candidates)
            offered = selectors.reusable(owner, doc_type)
            for doc in offered:
                services.record_staff_read(doc, ("title", "number", "issuer", "issued_on", "valid_until"))
            rows.append({"component": comp, "type": doc_type, "offered": offered})
    return render(request, "vault/desk.html", {"d": d, "owner": owner, "rows": rows})


@require_POST
def desk_reuse(request, code):
    d = _desk_dossier(request, code)
    owner = services._owner_of(d)
    comp = get_object_or_404(d.components, pk=object_id(request.POST.get("component")))
    doc = selectors.document_of(owner, request.POST.get("document")) if owner else None
    try:
        services.reuse_at_counter(request.user, d, comp, doc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(doc)s” reused from the applicant's vault; nothing was copied.") % {"doc": comp.name})
    return redirect("vault:desk", code=d.code)


def desk_download(request, code, pk):
    d = _desk_dossier(request, code)
    owner = services._owner_of(d)
    doc = selectors.document_of(owner, pk) if owner else None
    if doc is None:
        raise Http404
    services.record_staff_read(doc)
    return attachment(doc)
