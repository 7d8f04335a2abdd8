"""Read queries of the catalogue."""
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.db.models.functions import Length
from django.utils import timezone

from .models import Field, Procedure, ProcedureVersion
from .text import search_terms


def search_procedures(query: str = "", field_slug: str | None = None):
    """Procedures whose code, name or field contain every word of ``query``, accents and
    case ignored (the normalised ``search_text`` column works on SQLite and PostgreSQL)."""
    procedures = Procedure.objects.filter(versions__isnull=False).distinct().select_related("field")
    terms = search_terms(query)
    for term in terms:
        procedures = procedures.filter(search_text__contains=term)
    if field_slug:
        procedures = procedures.filter(field__slug=field_slug)
    if not terms:
        return procedures.order_by("-is_frequent", "field__sort_order", "field__name", "code")
    # Names that start with the query first, then frequently used, then the shortest name.
    starts = Case(When(search_text__startswith=" ".join(terms), then=Value(0)), default=Value(1), output_field=IntegerField())
    return procedures.annotate(starts=starts, name_length=Length("name")).order_by("starts", "-is_frequent", "name_length", "code")


def fields_with_counts():
    from django.db.models import Count

    return Field.objects.annotate(count=Count("procedures", filter=Q(procedures__versions__isnull=False), distinct=True)).filter(
        count__gt=0
    )


def frequent_procedures():
    return Procedure.objects.filter(is_frequent=True, versions__isnull=False).distinct().order_by("code")


def version_for_display(procedure: Procedure, at=None) -> ProcedureVersion | None:
    version = procedure.current_version(at or timezone.now())
    if version is None:
        return None
    return (
        ProcedureVersion.objects.select_related("field__default_department", "competent_department")
        .prefetch_related("documents", "fees", "steps")
        .get(pk=version.pk)
    )


def version_history(procedure: Procedure):
    return procedure.versions.select_related("created_by").order_by("-number")


def procedures_for_api():
    return Procedure.objects.filter(versions__isnull=False).distinct().select_related("field").prefetch_related(
        Prefetch("versions", queryset=ProcedureVersion.objects.order_by("-valid_from"))
    )
