"""The citizen's actions: prepare a dossier online (a draft saved at every step), submit it,
answer a supplement request, ask to stop, save a checklist. Every dossier change goes
through the dossier services (``xaso.dossiers.services``: ``submit_online``, ``resubmit``,
``supplement_received``, ``stop``), which keep the state table, the clock, the history, the
audit trail and the national-portal sync.

Refused input raises ``ValidationError`` with Vietnamese messages (a dict keyed by field
where a field is at fault) and changes nothing; pages and the API show them as they are."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.catalog.models import Procedure
from xaso.core import identifiers
from xaso.core.models import User
from xaso.core.text import clean_line
from xaso.core.validators import identifier_error
from xaso.dossiers import services as dossier_services
from xaso.dossiers.models import Delivery, Dossier
from xaso.dossiers.services import Applicant, ComponentIn, DossierError
from xaso.dossiers.states import BEFORE_RESULT, Status
from xaso.vault import files as vault_files
from xaso.vault import services as vault_services
from xaso.vault.models import Document

from . import selectors
from .models import Checklist, Draft, DraftFile

PUBLIC_KINDS = (User.Kind.CITIZEN, User.Kind.BUSINESS)
ROLES = ("self", "agent", "business")
MODES = ("upload", "vault", "counter")


def _require_public(user):
    if user is None or not getattr(user, "is_authenticated", False):
        raise DossierError(_("You must be logged in."))
    if user.kind not in PUBLIC_KINDS:
        raise DossierError(_("Officials receive dossiers at the counter; online submission is for citizens and businesses."))


# --------------------------------------------------------------------------- drafts


def start_draft(user, procedure: Procedure, *, new=False) -> Draft:
    """The draft to continue for ``procedure`` (the latest one not submitted), or a new one
    on the version in force; refused when the procedure cannot be done online."""
    _require_public(user)
    version = procedure.current_version()
    problem = selectors.online_problem(version)
    if problem:
        raise DossierError(problem)
    if not new:
        draft = Draft.objects.filter(owner=user, procedure=procedure, dossier__isnull=True).order_by("-updated_at").first()
        if draft is not None:
            if draft.version_id != version.pk:  # the catalogue changed: start again on the new version
                draft.version = version
                draft.data = {"applicant": draft.data.get("applicant", {})}
                draft.files.all().delete()
                draft.step = "applicant"
                draft.save()
            return draft
    return Draft.objects.create(owner=user, procedure=procedure, version=version, data={})


def _editable(draft: Draft):
    if draft.submitted:
        raise DossierError(_("This draft was submitted already (dossier %(code)s).") % {"code": draft.dossier.code})


def _text(values, name, max_length):
    return clean_line(str(values.get(name) or ""))[:max_length]


def clean_applicant(values: dict, user) -> dict:
    """The applicant step's answers, checked: who submits (for themself, for someone else
    with an authorisation, for an organisation) and their details. Errors by field."""
    role = values.get("role") or "self"
    if role not in ROLES:
        raise ValidationError({"role": [_("Choose for whom you submit.")]})
    out = {"role": role}
    for name, n in (("name", 255), ("id_number", 20), ("address", 255), ("phone", 15), ("email", 254),
                    ("agent_name", 255), ("agent_id_number", 20), ("agent_address", 255), ("agent_phone", 15),
                    ("agent_email", 254), ("authorisation_document", 255)):
        out[name] = _text(values, name, n)
    errors: dict[str, list] = {}

    def need(name, message):
        if not out[name]:
            errors.setdefault(name, []).append(message)

    need("name", _("Enter the name of the organisation.") if role == "business" else _("Enter the applicant's full name."))
    need("address", _("Enter the address."))
    if role == "business":
        need("id_number", _("Enter the tax code of the organisation."))
        if out["id_number"]:
            try:
                out["id_number"] = identifiers.normalize_tax_code(out["id_number"])
            except identifiers.IdentifierError as exc:
                errors.setdefault("id_number", []).extend(identifier_error(exc).messages)
    else:
        need("id_number", _("Enter the personal identification number (12 digits)."))
        if out["id_number"]:
            try:
                out["id_number"] = identifiers.parse_national_id(out["id_number"]).number
            except identifiers.IdentifierError as exc:
                errors.setdefault("id_number", []).extend(identifier_error(exc).messages)
    for name in ("phone", "agent_phone"):
        if out[name]:
            try:
                out[name] = identifiers.normalize_phone(out[name])
            except identifiers.IdentifierError as exc:
                errors.setdefault(name, []).extend(identifier_error(exc).messages)
    need("phone", _("Enter a phone number for the notifications."))
    for name in ("email", "agent_email"):
        if out[name]:
            from django.core.validators import validate_email

            try:
                validate_email(out[name])
            except ValidationError:
                errors.setdefault(name, []).append(_("Enter a valid e-mail address."))
    if role == "agent":
        need("agent_name", _("Enter your full name (the authorised person)."))
        need("agent_id_number", _("Enter your personal identification number."))
        need("authorisation_document", _("Give the authorisation document (e.g. “Giấy ủy quyền số 12 ngày 02/03/2026, chứng thực tại UBND xã”)."))
        if out["agent_id_number"]:
            try:
                out["agent_id_number"] = identifiers.parse_national_id(out["agent_id_number"]).number
            except identifiers.IdentifierError as exc:
                errors.setdefault("agent_id_number", []).extend(identifier_error(exc).messages)
        if out["agent_id_number"] and out["agent_id_number"] == out["id_number"]:
            errors.setdefault("id_number", []).append(_("For someone else: enter their identification number, not yours."))
    else:
        for name in ("agent_name", "agent_id_number", "agent_address", "agent_phone", "agent_email", "authorisation_document"):
            out[name] = ""
    if errors:
        raise ValidationError(errors)
    return out


def prefill_applicant(user, role="self") -> dict:
    """The applicant step filled from the account: the person (or the organisation), or for
    an authorised person, the agent's part."""
    me = {
        "name": user.full_name or "",
        "id_number": user.national_id or "",
        "address": user.address or "",
        "phone": user.phone or "",
        "email": user.email or "",
    }
    if role == "agent":
        return {"role": role, "agent_name": me["name"], "agent_id_number": me["id_number"], "agent_address": me["address"], "agent_phone": me["phone"], "agent_email": me["email"]}
    if role == "business":
        return {"role": role, "name": user.organisation_name or "", "id_number": user.tax_code or "", "address": user.address or "", "phone": me["phone"], "email": me["email"]}
    return {"role": role, **me}


@transaction.atomic
def save_applicant(draft: Draft, values: dict) -> Draft:
    _editable(draft)
    draft.data["applicant"] = clean_applicant(values, draft.owner)
    draft.step = "documents"
    draft.save(update_fields=["data", "step", "updated_at"])
    return draft


def _document(draft: Draft, index) -> selectors.RequiredDoc:
    docs = selectors.required_documents(draft.version)
    try:
        index = int(index)
    except (TypeError, ValueError):
        index = -1
    if not 0 <= index < len(docs):
        raise DossierError(_("This procedure has no such document."))
    return docs[index]


def _total_bytes(draft: Draft, extra=0) -> int:
    total = sum(f.size for f in draft.files.all())
    ids = [c.get("vault") for c in (draft.data.get("documents") or {}).values() if c.get("mode") == "vault" and c.get("vault")]
    total += sum(Document.objects.filter(pk__in=ids, owner=draft.owner).values_list("size", flat=True))
    return total + extra


def add_files(draft: Draft, index, uploads) -> list[DraftFile]:
    """Files for one required document, checked and (photos) downscaled, appended in order.
    All or nothing: one refused file stores none of them."""
    _editable(draft)
    doc = _document(draft, index)
    uploads = [u for u in (uploads or []) if u is not None]
    if not uploads:
        raise ValidationError({"files": [_("Choose at least one file or photo for “%(doc)s”.") % {"doc": doc.title}]})
    existing = draft.files.filter(document=doc.index).count()
    limit = vault_files.max_files_per_document()
    if existing + len(uploads) > limit:
        raise ValidationError({"files": [_("“%(doc)s” can have at most %(n)d files.") % {"doc": doc.title, "n": limit}]})
    try:
        prepared = [vault_files.prepare(u, label=doc.title) for u in uploads]
        vault_files.check_total(_total_bytes(draft, sum(p.size for p in prepared)))
    except DossierError as exc:
        raise ValidationError({"files": exc.messages}) from None
    stored = []
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        position = (draft.files.filter(document=doc.index).aggregate(m=Max("position"))["m"] or 0) + 1
        for i, p in enumerate(prepared):
            f = DraftFile(draft=draft, document=doc.index, position=position + i, original_name=getattr(uploads[i], "name", p.name)[:255],
                          content_type=p.content_type, size=p.size, is_photo=p.is_photo)
            f.file.save(p.name, p.as_file(), save=False)
            f.save()
            stored.append(f)
        _set_choice(draft, doc.index, {"mode": "upload"})
        draft.save(update_fields=["data", "updated_at"])
    return stored


def _set_choice(draft, index, choice):
    draft.data.setdefault("documents", {})[str(index)] = choice


@transaction.atomic
def remove_file(draft: Draft, file_id) -> None:
    _editable(draft)
    f = draft.files.filter(pk=file_id).first()
    if f is None:
        raise DossierError(_("This file is not in your draft."))
    name, storage = f.file.name, f.file.storage
    f.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def move_file(draft: Draft, file_id, up=True) -> None:
    """Move a file one place up (or down) among the files of its document."""
    _editable(draft)
    f = draft.files.filter(pk=file_id).first()
    if f is None:
        raise DossierError(_("This file is not in your draft."))
    siblings = list(draft.files.filter(document=f.document).order_by("position", "id"))
    i = siblings.index(f)
    j = i - 1 if up else i + 1
    if 0 <= j < len(siblings):
        siblings[i], siblings[j] = siblings[j], siblings[i]
        for n, s in enumerate(siblings, start=1):
            if s.position != n:
                DraftFile.objects.filter(pk=s.pk).update(position=n)


@transaction.atomic
def choose(draft: Draft, index, mode, vault_id=None) -> None:
    """How one required document is given: uploaded files, a document of the vault (reused,
    nothing copied), or on paper at the counter (only for a partly online procedure)."""
    _editable(draft)
    doc = _document(draft, index)
    if mode not in MODES:
        raise ValidationError({"mode": [_("Choose how you give “%(doc)s”.") % {"doc": doc.title}]})
    if mode == "counter" and not selectors.counter_allowed(draft.version):
        raise ValidationError({"mode": [_("This procedure is fully online: every document must be sent online.")]})
    choice = {"mode": mode}
    if mode == "vault":
        document = vault_services.check_reusable(draft.owner, _vault_document(draft.owner, vault_id), doc.title)
        if document.doc_type_id != getattr(doc.doc_type, "pk", None):
            raise ValidationError({"vault": [_("The document chosen is not a “%(type)s”.") % {"type": doc.doc_type.name if doc.doc_type else doc.title}]})
        choice["vault"] = document.pk
    _set_choice(draft, doc.index, choice)
    draft.save(update_fields=["data", "updated_at"])


def _vault_document(owner, vault_id):
    from xaso.vault.selectors import document_of

    return document_of(owner, vault_id)


def communes():
    """Communes (or wards) whose one-stop desk can receive online dossiers: each with its
    centre (a unit with an electronic identifier and reception officers)."""
    return selectors.desks()


def clean_delivery(draft: Draft, values: dict) -> dict:
    desks = {str(d.commune.pk): d for d in selectors.desks()}
    errors: dict[str, list] = {}
    commune = str(values.get("commune") or "")
    if commune not in desks:
        errors["commune"] = [_("Choose the commune that handles your dossier.")]
    delivery = values.get("delivery") or ""
    if delivery not in Delivery.values:
        errors["delivery"] = [_("Choose how you receive the result.")]
    pickup = str(values.get("pickup") or "")
    post_address = _text(values, "post_address", 255)
    if delivery == Delivery.COUNTER and pickup not in desks:
        errors["pickup"] = [_("Choose the commune where you collect the result.")]
    if delivery == Delivery.POST and not post_address:
        errors["post_address"] = [_("Enter the address the result is posted to.")]
    quantities = {}
    lines = [line for line in selectors.fee_lines(draft.version) if line["kind"] == "per_unit"]
    for line in lines:
        raw = values.get(f"qty_{line['line']}", 1)
        try:
            quantities[str(line["line"])] = dossier_services.fee_quantity(raw, line)
        except DossierError as exc:
            errors[f"qty_{line['line']}"] = exc.messages
    summary = _text(values, "request_summary", 500)
    if errors:
        raise ValidationError(errors)
    return {
        "commune": int(commune), "delivery": delivery, "pickup": int(pickup) if delivery == Delivery.COUNTER else None,
        "post_address": post_address if delivery == Delivery.POST else "", "quantities": quantities, "request_summary": summary,
    }


@transaction.atomic
def save_delivery(draft: Draft, values: dict) -> Draft:
    _editable(draft)
    draft.data["delivery"] = clean_delivery(draft, values)
    draft.step = "review"
    draft.save(update_fields=["data", "step", "updated_at"])
    return draft


@transaction.atomic
def delete_draft(draft: Draft) -> None:
    _editable(draft)
    names = [(f.file.storage, f.file.name) for f in draft.files.all()]
    draft.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


def problems(draft: Draft) -> dict[str, list]:
    """What still stops the draft from being submitted, by step (empty: ready)."""
    out: dict[str, list] = {}
    if "applicant" not in draft.data:
        out["applicant"] = [_("Give the applicant's details.")]
    else:
        try:
            clean_applicant(draft.data["applicant"], draft.owner)
        except ValidationError as exc:
            out["applicant"] = [m for msgs in exc.message_dict.values() for m in msgs]
    missing = []
    for doc in selectors.documents_of_draft(draft):
        if doc.mandatory and not doc.given:
            missing.append(_("“%(doc)s” is mandatory: upload it, choose it from your vault%(counter)s.") % {
                "doc": doc.title, "counter": _(" or say you bring it to the counter") if selectors.counter_allowed(draft.version) else ""})
        elif doc.choice.get("mode") == "vault" and doc.vault_document is None:
            missing.append(_("The document chosen for “%(doc)s” is no longer in your vault or has expired: choose another one.") % {"doc": doc.title})
    if missing:
        out["documents"] = missing
    if "delivery" not in draft.data:
        out["delivery"] = [_("Choose where the dossier is handled and how you receive the result.")]
    return out


def submit(draft: Draft, user) -> Dossier:
    """The draft becomes a dossier (``submit_online``), once: its submission key makes a
    second submit (a double tap, a retry after a timeout) return the same dossier."""
    _require_public(user)
    if draft.owner_id != user.pk:
        raise DossierError(_("This draft is not yours."))
    with transaction.atomic():
        # A double tap: the second request waits here for the first, then finds its dossier.
        draft = Draft.objects.select_for_update(of=("self",)).select_related("version", "procedure", "owner").get(pk=draft.pk)
        return _submit_locked(draft, user)


def _read(stored) -> bytes:
    with stored.open("rb") as fh:
        return fh.read()


def _submit_locked(draft: Draft, user) -> Dossier:
    if draft.dossier_id:
        d = Dossier.objects.get(pk=draft.dossier_id)
        d.replayed = True
        return d
    todo = problems(draft)
    if todo:
        raise ValidationError(todo)
    a = draft.data["applicant"]
    delivery = draft.data["delivery"]
    desks = {d.commune.pk: d for d in selectors.desks()}
    commune_desk = desks.get(delivery["commune"])
    if commune_desk is None:
        raise ValidationError({"delivery": [_("Choose the commune that handles your dossier.")]})
    receiving = desks[delivery["pickup"]].centre if delivery["delivery"] == Delivery.COUNTER and delivery.get("pickup") in desks else commune_desk.centre
    terms = dossier_services.terms_from_version(draft.version, commune_desk.commune)
    applicant = Applicant(
        kind="organisation" if a["role"] == "business" else "citizen",
        name=a["name"], id_number=a["id_number"], address=a["address"], phone=a["phone"], email=a["email"],
        agent_name=a["agent_name"], agent_id_number=a["agent_id_number"], agent_address=a["agent_address"],
        agent_phone=a["agent_phone"], agent_email=a["agent_email"], authorisation_document=a["authorisation_document"],
        account=user,
    )
    components, reused_docs = [], []
    counter_note = _("Paper copy, brought to the counter")
    for doc in selectors.documents_of_draft(draft):
        mode = doc.choice.get("mode")
        if mode == "vault" and doc.vault_document is not None:
            components.append(vault_services.component_in(doc.vault_document, name=doc.name, mandatory=doc.mandatory))
            reused_docs.append(doc.vault_document)
        elif mode == "counter" and selectors.counter_allowed(draft.version):
            components.append(ComponentIn(name=doc.name, mandatory=doc.mandatory, copies=counter_note))
        elif doc.files:
            prepared = [vault_files.Prepared(name=f.file.name.rsplit("/", 1)[-1], data=_read(f.file), content_type=f.content_type, is_photo=f.is_photo) for f in doc.files]
            for p in vault_files.for_officer(prepared, doc.title):
                components.append(ComponentIn(name=doc.name, mandatory=doc.mandatory, digitised=True, file=p.as_file(),
                                              code=doc.doc_type.code if doc.doc_type else ""))
    summary = delivery.get("request_summary") or ""
    if delivery["delivery"] == Delivery.POST:
        summary = "\n".join(filter(None, [summary, _("Result to be posted to: %(address)s") % {"address": delivery["post_address"]}]))
    quantities = {int(k): v for k, v in (delivery.get("quantities") or {}).items()}
    d = dossier_services.submit_online(
        user=user, terms=terms, applicant=applicant, components=components, receiving_unit=receiving,
        competent_unit=terms.competent_unit, delivery=delivery["delivery"], request_summary=summary,
        fee_quantities=quantities or None, request_key=draft.request_key,
    )
    if not d.replayed:
        vault_services.record_reuses(d, reused_docs, user)
    Draft.objects.filter(pk=draft.pk).update(dossier=d, step="submitted", updated_at=timezone.now())
    names = [(f.file.storage, f.file.name) for f in draft.files.all()]
    draft.files.all().delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])
    draft.dossier = d
    return d


# --------------------------------------------------------------------------- after submission


def _own(user, dossier: Dossier) -> Dossier:
    if dossier.applicant_account_id != getattr(user, "pk", None):
        raise DossierError(_("This dossier is not yours."))
    return dossier


def answer_supplement(user, dossier: Dossier, answers: list[dict], note="") -> Dossier:
    """The applicant answers a supplement request online: for each item asked, files (photos
    downscaled; several photos of one item become one PDF) or a document of the vault. At
    the reception check the dossier goes back to it (``resubmit``); during processing the
    supplement is received and the clock resumes (``supplement_received``)."""
    _require_public(user)
    _own(user, dossier)
    status = Status(dossier.status)
    if status not in (Status.RECEPTION_SUPPLEMENT, Status.SUPPLEMENT):
        raise DossierError(_("No supplement is asked for this dossier now (it is “%(status)s”).") % {"status": selectors.plain_status(dossier)})
    components, reused, errors, total = [], [], {}, 0
    for i, answer in enumerate(answers):
        label = answer["item"]
        uploads = [u for u in answer.get("files") or [] if u is not None]
        vault_id = answer.get("vault")
        try:
            if vault_id:
                document = vault_services.check_reusable(user, _vault_document(user, vault_id), label)
                components.append(vault_services.component_in(document, name=label))
                reused.append(document)
            if uploads:
                if len(uploads) > vault_files.max_files_per_document():
                    raise DossierError(_("“%(doc)s” can have at most %(n)d files.") % {"doc": label, "n": vault_files.max_files_per_document()})
                prepared = [vault_files.prepare(u, label=label) for u in uploads]
                total += sum(p.size for p in prepared)
                for p in vault_files.for_officer(prepared, label):
                    components.append(ComponentIn(name=label, digitised=True, file=p.as_file()))
        except DossierError as exc:
            errors[f"item_{i}"] = exc.messages
    if errors:
        raise ValidationError(errors)
    if not components:
        raise ValidationError({"item_0": [_("Add at least one file or one document of your vault for what was asked.")]})
    try:
        vault_files.check_total(total)
    except DossierError as exc:
        raise ValidationError({"item_0": exc.messages}) from None
    note = clean_line(note)[:1000]
    with transaction.atomic():
        if status == Status.RECEPTION_SUPPLEMENT:
            d = dossier_services.resubmit(dossier, user, components=components)
        else:
            d = dossier_services.supplement_received(dossier, user, components=components, note=note or _("Supplement sent online by the applicant."))
        vault_services.record_reuses(d, reused, user)
    return d


def ask_to_stop(user, dossier: Dossier, reasons: str) -> Dossier:
    """The applicant asks online to stop the handling of their dossier (NĐ 118/2025 Điều 21
    k2): possible while no decision or result exists; the stop notice is issued."""
    _require_public(user)
    _own(user, dossier)
    reasons = clean_line(reasons)[:1000]
    if not reasons:
        raise ValidationError({"reasons": [_("Say why you ask to stop the handling of this dossier.")]})
    try:
        return dossier_services.stop(dossier, user, reasons=reasons)
    except DossierError as exc:
        if Status(Dossier.objects.get(pk=dossier.pk).status) not in BEFORE_RESULT:
            raise DossierError(_("This dossier can no longer be stopped: a decision or a result already exists.")) from exc
        raise


# --------------------------------------------------------------------------- checklists


@transaction.atomic
def save_checklist(user, procedure: Procedure, life_event=None) -> Checklist:
    """A personal list of what to prepare for ``procedure`` (the version in force), with the
    documents the person already has in their vault marked."""
    _require_public(user)
    version = procedure.current_version()
    if version is None:
        raise DossierError(_("This procedure has no version in force."))
    items = []
    for doc in selectors.required_documents(version, include_present=True):
        have = ""
        if doc.doc_type is not None:
            from xaso.vault.selectors import reusable

            found = reusable(user, doc.doc_type)
            have = found[0].title if found else ""
        items.append({"name": doc.title, "rule": doc.rule, "condition": doc.condition, "copies": doc.copies_text, "have": have})
    return Checklist.objects.create(owner=user, procedure=procedure, life_event=life_event, title=version.name[:500], items=items)


@transaction.atomic
def delete_checklist(user, checklist: Checklist) -> None:
    if checklist.owner_id != user.pk:
        raise DossierError(_("This checklist is not yours."))
    checklist.delete()


def clean_old_drafts(now=None) -> int:
    """Remove drafts not submitted and untouched for ``XASO_DRAFT_KEEP_DAYS`` days, with their
    files. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=getattr(settings, "XASO_DRAFT_KEEP_DAYS", 90))
    count = 0
    for draft in Draft.objects.filter(dossier__isnull=True, updated_at__lt=cutoff):
        delete_draft(draft)
        count += 1
    return count

