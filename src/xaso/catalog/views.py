"""Public pages of the catalogue: search, browse by field, procedure detail."""
from django.core.paginator import Paginator
from django.http import Http404
from django.views.decorators.http import require_safe
from django.shortcuts import get_object_or_404, render

from . import selectors, services
from .models import Field, Procedure, RequiredDocument

PAGE_SIZE = 20


def _is_staff(user):
    return user.is_authenticated and (user.is_staff or getattr(user, "is_official", False))


def _staff_commune(user):
    """The commune (or ward) of the official's first active membership, if any."""
    from xaso.core.selectors import memberships_of

    for membership in memberships_of(user):
        if membership.unit.local_government is not None:
            return membership.unit.local_government
    return None


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    procedures = selectors.search_procedures(query)
    page = Paginator(procedures, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/search.html", {
        "query": query,
        "page": page,
        "fields": selectors.fields_with_counts(),
        "frequent": selectors.frequent_procedures() if not query else None,
    })


def field(request, slug):
    field_obj = get_object_or_404(Field, slug=slug)
    query = request.GET.get("q", "").strip()[:200]
    procedures = selectors.search_procedures(query, field_slug=slug)
    page = Paginator(procedures, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/search.html", {
        "query": query, "page": page, "field": field_obj, "fields": selectors.fields_with_counts(),
    })


def detail(request, code):
    procedure = get_object_or_404(Procedure, code=code)
    staff = _is_staff(request.user)
    version = None
    if staff and request.GET.get("v", "").isdigit():
        version = procedure.versions.filter(number=int(request.GET["v"])).first()
        if version is not None:
            version = selectors.version_for_display(procedure, at=version.valid_from)
    if version is None:
        version = selectors.version_for_display(procedure)
    if version is None:
        raise Http404
    steps = list(version.steps.all())
    commune = _staff_commune(request.user) if staff else None
    if commune is not None:
        for step in steps:
            step.unit_here = services.resolve_unit(step, commune)
    return render(request, "catalog/detail.html", {
        "steps": steps,
        "commune": commune,
        "procedure": procedure,
        "version": version,
        "documents": [d for d in version.documents.all() if d.requirement != RequiredDocument.Requirement.NOTE],
        "document_notes": [d for d in version.documents.all() if d.requirement == RequiredDocument.Requirement.NOTE],
        "history": selectors.version_history(procedure) if staff else None,
        # Staff see the curators' notes whole; citizens see the facts (``text.public_note``)
        # and, for what is not known, one sentence to ask the centre.
        "staff": staff,
        "is_current": version.pk == getattr(procedure.current_version(), "pk", None),
    })


@require_safe
def blank_form(request, code, document_id):
    document = get_object_or_404(RequiredDocument.objects.select_related("version__procedure"), pk=document_id,
                                 version__procedure__code=code)
    if not document.blank_form:
        raise Http404
    from xaso.core.uploads import attachment_response, stored_content_type

    name = document.blank_form.name.rsplit("/", 1)[-1]
    return attachment_response(document.blank_form.open("rb"), name, stored_content_type(document.blank_form))
