"""Reads of the vault: a person's documents, what can be reused for a required document,
and who in the administration opened them (from the audit trail's personal-data reads)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from xaso.catalog.text import normalise
from xaso.core.models import AuditRecord, User

from .models import Document, DocumentType

OTHER_TYPE = "khac"


def words(text: str) -> str:
    """Lower case, no accents, words separated by single spaces (punctuation dropped)."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", normalise(text)).split())

RESULT_TYPE = "ket-qua"


def types() -> list[DocumentType]:
    return list(DocumentType.objects.filter(active=True).order_by("sort_order", "name"))


def type_for(name: str, candidates: list[DocumentType] | None = None) -> DocumentType | None:
    """The type of a required document (or any document) named ``name``: the first active
    type, in order, one of whose keywords the name contains (accents and case ignored)."""
    plain = f" {words(name)} "
    for t in candidates if candidates is not None else types():
        for keyword in t.keyword_list():
            if keyword and f" {keyword} " in plain:  # whole words: "so" is not "sổ sách"
                return t
    return None


def documents_of(owner) -> QuerySet:
    """The owner's documents (those they deleted are hidden)."""
    return Document.objects.filter(owner=owner, deleted_at__isnull=True).select_related("doc_type", "source_dossier")


def document_of(owner, pk) -> Document | None:
    """One document of ``owner`` by id, or None (another person's id answers as missing)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return documents_of(owner).filter(pk=pk).first()


def reusable(owner, doc_type: DocumentType | None, on=None) -> list[Document]:
    """The owner's documents of ``doc_type`` that are still valid on ``on``: what a form offers
    instead of an upload."""
    if doc_type is None or not doc_type.reusable or owner is None or not getattr(owner, "pk", None):
        return []
    on = on or timezone.localdate()
    return list(
        documents_of(owner).filter(doc_type=doc_type).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on)).order_by("-issued_on", "-created_at")
    )


@dataclass
class Access:
    at: datetime
    who: str
    unit: str
    document: Document
    what: str  # "file" (opened the file) or "details" (saw its number, issuer, dates)


def access_log(owner, document: Document | None = None) -> list[Access]:
    """Every time someone in the administration opened one of the owner's documents (or its
    details), newest first: reads of the vault document itself, of a dossier component that
    holds the same file, and of the electronic result of a dossier it came from."""
    docs = [document] if document is not None else list(Document.objects.filter(owner=owner).select_related("doc_type"))
    if not docs:
        return []
    by_id = {str(d.pk): d for d in docs}
    by_file = {d.file.name: d for d in docs}
    by_result = {str(d.source_dossier_id): d for d in docs if d.source == Document.Source.RESULT and d.source_dossier_id}
    from xaso.dossiers.models import Component

    components = {str(pk): by_file[name] for pk, name in Component.objects.filter(file__in=list(by_file)).values_list("pk", "file")}
    q = Q(object_type="vault.document", object_id__in=list(by_id)) | Q(object_type="dossiers.component", object_id__in=list(components))
    if by_result:
        q |= Q(object_type="dossiers.dossier", object_id__in=list(by_result))
    records = list(AuditRecord.objects.filter(q, action=AuditRecord.Action.READ).order_by("-at", "-id")[:500])
    actors = {u.pk: u for u in User.objects.filter(pk__in={r.actor_id for r in records if r.actor_id}).prefetch_related("memberships__unit")}
    out = []
    for r in records:
        fields = (r.changes or {}).get("fields") or []
        if r.object_type == "vault.document":
            doc, what = by_id[r.object_id], "file" if "file" in fields else "details"
        elif r.object_type == "dossiers.component":
            doc, what = components[r.object_id], "file"
        else:
            if "ket-qua" not in fields:
                continue  # a read of the dossier's other personal data, not of this document
            doc, what = by_result[r.object_id], "file"
        user = actors.get(r.actor_id)
        unit = ""
        if user is not None:
            units = [m.unit.name for m in user.memberships.all() if m.is_active]
            unit = ", ".join(sorted(set(units)))
        out.append(Access(at=r.at, who=user.display_name if user else (r.actor_username or "—"), unit=unit, document=doc, what=what))
    return out
