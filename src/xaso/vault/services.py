"""Every change to the vault: one function per action, transactional and audited (the
``Document`` rows are tracked by the audit trail; reuses and staff reads are recorded here).

A refused action raises ``DossierError`` (a ``ValidationError``) with a Vietnamese message
and changes nothing."""
from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core import audit
from xaso.core.models import AuditRecord, User
from xaso.dossiers.models import Channel, Component, Dossier
from xaso.dossiers.services import DossierError

from . import files, selectors
from .models import Document, DocumentType, Reuse

PUBLIC_KINDS = (User.Kind.CITIZEN, User.Kind.BUSINESS)


def _owner_of(dossier: Dossier):
    """Whose vault a dossier's files go to: the account that submitted or follows it, when it
    is a citizen's or business's own dossier (not one an authorised person submitted for
    someone else: those documents are not the agent's)."""
    account = dossier.applicant_account
    if account is None or account.kind not in PUBLIC_KINDS or dossier.agent_name:
        return None
    return account


def _type(code: str) -> DocumentType:
    t = DocumentType.objects.filter(code=code).first()
    if t is None:  # the shipped list was edited away: recreate the fallback type
        t = DocumentType.objects.create(code=code, name=_("Other document") if code == selectors.OTHER_TYPE else _("Result of an administrative procedure"), reusable=code != selectors.OTHER_TYPE, sort_order=1000)
    return t


def type_or_other(name: str) -> DocumentType:
    return selectors.type_for(name) or _type(selectors.OTHER_TYPE)


def _clean_dates(issued_on: date | None, valid_until: date | None):
    """Refused dates, by field (``ValidationError`` with a dict: pages and the API show each
    message at its field)."""
    today = timezone.localdate()
    if issued_on and issued_on > today:
        raise ValidationError({"issued_on": [_("The date of issue cannot be in the future.")]})
    if issued_on and valid_until and valid_until < issued_on:
        raise ValidationError({"valid_until": [_("The date until which the document is valid cannot be before its date of issue.")]})


def _create(owner, *, stored_name=None, prepared: files.Prepared | None = None, **fields) -> Document:
    """Insert a document once per owner and content: the same content again gives back the
    document already there."""
    doc = Document(owner=owner, **fields)
    if prepared is not None:
        doc.content_type, doc.size, doc.sha256 = prepared.content_type, prepared.size, prepared.sha256
    existing = Document.objects.filter(owner=owner, sha256=doc.sha256, deleted_at__isnull=True).first()
    if existing is not None:
        return existing
    if stored_name:
        doc.file.name = stored_name
    else:
        doc.file.save(prepared.name, prepared.as_file(), save=False)
    try:
        with transaction.atomic():
            doc.save()
    except IntegrityError:  # the same content added at the same moment
        if not stored_name:
            doc.file.delete(save=False)
        existing = Document.objects.filter(owner=owner, sha256=doc.sha256, deleted_at__isnull=True).first()
        if existing is None:
            raise
        return existing
    return doc


@transaction.atomic
def upload(owner, *, file, doc_type: DocumentType, title="", number="", issuer="", issued_on=None, valid_until=None) -> Document:
    """A document the owner uploads to their vault (checked and, for a photo, downscaled
    without its metadata)."""
    if owner is None or getattr(owner, "kind", None) not in PUBLIC_KINDS:
        raise DossierError(_("Only citizens and businesses have a personal document vault."))
    if doc_type is None or not doc_type.active:
        raise ValidationError({"doc_type": [_("Choose the kind of document.")]})
    if file is None:
        raise ValidationError({"file": [_("Choose the file of the document.")]})
    _clean_dates(issued_on, valid_until)
    try:
        prepared = files.prepare(file, label=title or doc_type.name)
    except DossierError as exc:
        raise ValidationError({"file": exc.messages}) from None
    return _create(
        owner, prepared=prepared, doc_type=doc_type, title=(title or doc_type.name).strip()[:500], number=number.strip()[:100],
        issuer=issuer.strip()[:255], issued_on=issued_on, valid_until=valid_until, source=Document.Source.UPLOAD,
    )


@transaction.atomic
def update(owner, document: Document, *, title=None, number=None, issuer=None, issued_on=None, valid_until=None, doc_type=None) -> Document:
    """The owner corrects the details of one of their documents (not the file)."""
    if document.owner_id != owner.pk:
        raise DossierError(_("This document is not in your vault."))
    _clean_dates(issued_on if issued_on is not None else document.issued_on, valid_until if valid_until is not None else document.valid_until)
    for name, value in (("title", title), ("number", number), ("issuer", issuer), ("issued_on", issued_on), ("valid_until", valid_until), ("doc_type", doc_type)):
        if value is not None:
            setattr(document, name, value.strip() if isinstance(value, str) else value)
    document.save()
    return document


def _file_in_use(document: Document) -> bool:
    name = document.file.name
    return Component.objects.filter(file=name).exists() or Document.objects.filter(file=name).exclude(pk=document.pk).exists() or Dossier.objects.filter(result_file=name).exists()


@transaction.atomic
def delete(owner, document: Document, now=None) -> None:
    """The owner deletes a document they uploaded. One still used by a dossier (submitted
    with it, or reused in it) is hidden and its file kept for the dossier; otherwise the row
    and the stored file go."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.owner_id != owner.pk or document.deleted_at is not None:
        raise DossierError(_("This document is not in your vault."))
    if not document.deletable:
        raise DossierError(_("Documents issued to you or scanned at the counter stay in your vault; only what you uploaded can be deleted."))
    if document.reuses.exists() or _file_in_use(document):
        document.deleted_at = now or timezone.now()
        document.save(update_fields=["deleted_at"])
        return
    name = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --------------------------------------------------------------------------- from dossiers


def collect_components(dossier: Dossier, components) -> list[Document]:
    """The files of a dossier's components go into the applicant's vault once: uploaded
    online (source: upload) or scanned at the counter (source: counter). Reused components
    already point at a vault document. The document points at the component's stored file:
    nothing is copied."""
    owner = _owner_of(dossier)
    if owner is None:
        return []
    candidates = selectors.types()
    source = Document.Source.UPLOAD if dossier.channel == Channel.ONLINE else Document.Source.COUNTER
    known = set(Document.objects.filter(owner=owner, file__in=[c.file.name for c in components if c.file]).values_list("file", flat=True))
    out = []
    for c in components:
        if not c.file or c.file.name in known:
            continue
        doc_type = selectors.type_for(c.name, candidates) or _type(selectors.OTHER_TYPE)
        out.append(
            _create(
                owner, stored_name=c.file.name, doc_type=doc_type, title=c.name[:500], source=source, source_dossier=dossier,
                content_type=c.content_type or "application/octet-stream", size=c.size, sha256=files.digest(c.file),
            )
        )
    return out


def _issuer_of(dossier: Dossier) -> str:
    lg = dossier.competent_unit.local_government if dossier.competent_unit_id else None
    if lg is None:
        return dossier.competent_unit.name if dossier.competent_unit_id else ""
    return f"Ủy ban nhân dân {lg.name[:1].lower()}{lg.name[1:]}"


def collect_result(dossier: Dossier) -> Document | None:
    """The electronic result of a dossier goes into the applicant's vault (source: result),
    pointing at the dossier's stored result file."""
    owner = _owner_of(dossier)
    if owner is None or not dossier.result_file:
        return None
    existing = Document.objects.filter(owner=owner, file=dossier.result_file.name).first()
    if existing is not None:
        return existing
    result_name = dossier.procedure_version.result if dossier.procedure_version_id else ""
    doc_type = (selectors.type_for(result_name) if result_name else None) or _type(selectors.RESULT_TYPE)
    name = dossier.result_file.name.rsplit("/", 1)[-1]
    import mimetypes

    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return _create(
        owner, stored_name=dossier.result_file.name, doc_type=doc_type,
        title=(result_name or _("Result: %(procedure)s") % {"procedure": dossier.procedure_name})[:500],
        number=dossier.result_number[:100], issuer=_issuer_of(dossier)[:255],
        issued_on=timezone.localtime(dossier.finished_at).date() if dossier.finished_at else None,
        source=Document.Source.RESULT, source_dossier=dossier, content_type=ctype, size=dossier.result_file.size,
        sha256=files.digest(dossier.result_file),
    )


# --------------------------------------------------------------------------- reuse


def check_reusable(owner, document: Document | None, label: str, on=None) -> Document:
    """The document a form chose to reuse, if it is the owner's and still valid; else a
    message naming the required document (another person's document reads as not found)."""
    if document is None or document.owner_id != getattr(owner, "pk", None) or document.deleted_at is not None:
        raise DossierError(_("The document chosen for “%(doc)s” is not in your vault.") % {"doc": label})
    if not document.is_valid(on):
        raise DossierError(
            _("The document chosen for “%(doc)s” expired on %(date)s; upload a valid one.") % {"doc": label, "date": document.valid_until.strftime("%d/%m/%Y")}
        )
    return document


def component_in(document: Document, *, name: str, mandatory=True, code=""):
    """The dossier component that reuses ``document``: its stored file, nothing copied,
    marked reused and digitised."""
    from xaso.dossiers.services import ComponentIn

    return ComponentIn(
        name=name, code=code or document.doc_type.code, mandatory=mandatory, reused=True, digitised=True,
        stored_name=document.file.name, content_type=document.content_type, size=document.size,
    )


def record_reuses(dossier: Dossier, documents: list[Document], by) -> list[Reuse]:
    """Link the dossier's components that point at the given vault documents (the reuse)."""
    out = []
    by_file = {d.file.name: d for d in documents}
    linked = set(Reuse.objects.filter(dossier=dossier).values_list("component_id", flat=True))
    for comp in Component.objects.filter(dossier=dossier, file__in=list(by_file), reused=True):
        if comp.pk in linked:
            continue
        out.append(Reuse.objects.create(document=by_file[comp.file.name], component=comp, dossier=dossier, by=by if getattr(by, "pk", None) else None))
        audit.record(
            AuditRecord.Action.ACTION, by_file[comp.file.name], verb="vault.reuse",
            changes={"dossier": [None, dossier.code], "component": [None, comp.pk]},
        )
    return out


@transaction.atomic
def reuse_at_counter(officer, dossier: Dossier, component: Component, document: Document) -> Component:
    """A reception officer of the receiving unit points a submitted component of a dossier
    at a document of the applicant's vault (the applicant showed the paper or agreed): the
    component is reused and digitised, nothing is copied."""
    from xaso.dossiers.services import attach_refusal

    d = Dossier.objects.select_for_update().get(pk=dossier.pk)
    refusal = attach_refusal(d, officer)
    if refusal or not getattr(officer, "is_official", False):
        raise DossierError(refusal[1] if refusal else _("Only the reception desk may reuse a document at the counter."))
    owner = _owner_of(d)
    if owner is None:
        raise DossierError(_("This dossier is not linked to the applicant's own account: there is no vault to reuse from."))
    check_reusable(owner, document, component.name)
    if component.dossier_id != d.pk:
        raise DossierError(_("This dossier has no such document."))
    component.file.name = document.file.name
    component.content_type, component.size = document.content_type, document.size
    component.reused = component.digitised = component.submitted = True
    component.save(update_fields=["file", "content_type", "size", "reused", "digitised", "submitted"])
    Reuse.objects.filter(component=component).delete()
    Reuse.objects.create(document=document, component=component, dossier=d, by=officer)
    audit.record(AuditRecord.Action.ACTION, document, verb="vault.reuse", changes={"dossier": [None, d.code], "component": [None, component.pk]})
    from xaso.dossiers.services import _event

    _event(d, "attach_file", user=officer, now=timezone.now(), from_status=d.status, note=component.name, data={"component": component.pk, "name": component.name, "reused": document.pk}, unit=None)
    return component


def record_staff_read(document: Document, fields=("file",)) -> None:
    """An official saw a person's document (its details, or the file): the person sees it in
    their access log."""
    audit.record_read(document, list(fields))
