"""Reads for the citizen's pages and API: what a procedure asks for online, a draft's state,
the account's dossiers in plain words and what is expected from the citizen now, the
one-stop desks of the province, the guided finder."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xaso.catalog.models import Procedure, ProcedureVersion, RequiredDocument
from xaso.core.models import Role, Unit
from xaso.dossiers import services as dossier_services
from xaso.dossiers.models import Channel, Delivery, DocumentKind, Dossier
from xaso.dossiers.states import FINAL, Status

from .models import Draft, LifeEvent

ONLINE_LEVELS = (ProcedureVersion.OnlineLevel.FULL, ProcedureVersion.OnlineLevel.PARTIAL)


def online_problem(version: ProcedureVersion | None) -> str | None:
    """Why a dossier of this version cannot be submitted online (None: it can)."""
    if version is None:
        return _("This procedure has no version in force.")
    if version.online_level not in ONLINE_LEVELS:
        return _("This procedure is not offered online: submit it at the one-stop desk of the commune.")
    try:
        dossier_services.terms_from_version(version)
    except dossier_services.DossierError as exc:
        return " ".join(exc.messages)
    return None


def counter_allowed(version: ProcedureVersion) -> bool:
    """A partly online procedure lets some documents be brought on paper to the counter."""
    return version.online_level == ProcedureVersion.OnlineLevel.PARTIAL


# --------------------------------------------------------------------------- required documents

_CONDITION = re.compile(r"\s*\(((?:nếu|trường hợp|chỉ khi|khi)\b[^()]*)\)\s*", re.IGNORECASE)


def split_condition(name: str) -> tuple[str, str]:
    """("Giấy chứng sinh", "nếu không có: …") from "Giấy chứng sinh (nếu không có: …)": the
    document and its condition in plain words (as the catalogue writes it)."""
    m = _CONDITION.search(name)
    if not m:
        return name.strip(), ""
    title = (name[: m.start()] + " " + name[m.end():]).strip(" ;,")
    return " ".join(title.split()) or name, m.group(1).strip()


@dataclass
class RequiredDoc:
    index: int
    name: str  # as the catalogue names it (the dossier component keeps this name)
    title: str  # without the condition
    condition: str
    mandatory: bool
    present_only: bool
    originals: int | None
    copies: int | None
    blank_form_id: int | None
    doc_type: object | None
    choice: dict = field(default_factory=dict)
    files: list = field(default_factory=list)
    reusable: list = field(default_factory=list)
    vault_document: object | None = None

    @property
    def rule(self) -> str:
        if self.present_only:
            return _("show at the counter, not submitted")
        return _("mandatory") if self.mandatory else _("only in the case stated")

    @property
    def copies_text(self) -> str:
        parts = []
        if self.originals:
            parts.append(_("%(n)d original(s)") % {"n": self.originals})
        if self.copies:
            parts.append(_("%(n)d copy(ies)") % {"n": self.copies})
        return ", ".join(parts)

    @property
    def given(self) -> bool:
        mode = self.choice.get("mode")
        if mode == "vault":
            return self.vault_document is not None
        if mode == "counter":
            return True
        return bool(self.files)


def required_documents(version: ProcedureVersion, *, include_present=False) -> list[RequiredDoc]:
    """The documents of a version, in the catalogue's order, as the online form asks for
    them: those to submit (the positions match the dossier terms' documents), and with
    ``include_present`` also those only shown at the counter (checklists)."""
    from xaso.vault.selectors import type_for, types

    candidates = types()
    out = []
    index = 0
    for d in version.documents.all():
        if d.requirement == RequiredDocument.Requirement.NOTE:
            continue
        present = d.submission != RequiredDocument.Submission.SUBMIT
        if present and not include_present:
            continue
        title, condition = split_condition(d.name)
        out.append(
            RequiredDoc(
                index=index if not present else -1, name=d.name, title=title, condition=condition,
                mandatory=d.requirement == RequiredDocument.Requirement.MANDATORY, present_only=present,
                originals=d.originals, copies=d.copies, blank_form_id=d.pk if d.blank_form else None,
                doc_type=type_for(d.name, candidates),
            )
        )
        if not present:
            index += 1
    return out


def documents_of_draft(draft: Draft) -> list[RequiredDoc]:
    """The draft's documents with their files (in order), the choice made, and the vault
    documents that could be reused for each."""
    from xaso.vault.selectors import reusable

    docs = required_documents(draft.version)
    by_doc: dict[int, list] = {}
    for f in draft.files.all().order_by("document", "position", "id"):
        by_doc.setdefault(f.document, []).append(f)
    choices = draft.data.get("documents") or {}
    for doc in docs:
        doc.files = by_doc.get(doc.index, [])
        doc.choice = choices.get(str(doc.index)) or ({"mode": "upload"} if doc.files else {})
        doc.reusable = reusable(draft.owner, doc.doc_type)
        if doc.choice.get("mode") == "vault":
            doc.vault_document = next((v for v in doc.reusable if v.pk == doc.choice.get("vault")), None)
    return docs


def fee_lines(version: ProcedureVersion) -> list[dict]:
    return dossier_services.catalogue_fee_lines(list(version.fees.all()))


def fee_preview(version: ProcedureVersion, quantities=None) -> tuple[list[dict], int, bool]:
    """The fee lines priced for an online dossier (the online price where the catalogue has
    one), their total, and whether a line is not determined: shown before submitting."""
    lines, total = dossier_services.price_fee_lines(fee_lines(version), {int(k): v for k, v in (quantities or {}).items()}, Channel.ONLINE)
    return lines, total, any(line.get("amount") is None for line in lines)


# --------------------------------------------------------------------------- desks


@dataclass
class Desk:
    commune: Unit
    centre: Unit

    @property
    def label(self) -> str:
        return f"{self.centre.name} — {self.commune.name}"


def desks() -> list[Desk]:
    """The one-stop desks of the province, one per commune or ward: a centre with an
    electronic identifier and at least one active reception officer."""
    centres = (
        Unit.objects.filter(is_active=True, identifier__gt="", memberships__role=Role.RECEPTION, memberships__is_active=True)
        .select_related("parent", "parent__parent")
        .distinct()
        .order_by("sort_order", "name", "pk")
    )
    seen, out = set(), []
    for centre in centres:
        commune = centre.local_government
        if commune is None or commune.pk in seen:
            continue
        seen.add(commune.pk)
        out.append(Desk(commune=commune, centre=centre))
    out.sort(key=lambda d: (d.commune.sort_order, d.commune.name))
    return out


def default_commune_id(desk_list=None) -> int | None:
    from django.conf import settings

    desk_list = desk_list if desk_list is not None else desks()
    code = getattr(settings, "XASO_PORTAL_DEFAULT_COMMUNE", "")
    for d in desk_list:
        if d.commune.code == code:
            return d.commune.pk
    return desk_list[0].commune.pk if desk_list else None


# --------------------------------------------------------------------------- the account's dossiers


def drafts_of(user):
    return Draft.objects.filter(owner=user, dossier__isnull=True).select_related("procedure", "version").order_by("-updated_at")


def draft_of(user, public_id) -> Draft | None:
    """One draft of ``user`` (another account's draft is "not found")."""
    import uuid

    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return Draft.objects.filter(owner=user, public_id=public_id).select_related("procedure", "version", "dossier").first()


def my_dossiers(user):
    """Every dossier of the account, newest first."""
    return (
        Dossier.objects.filter(applicant_account=user)
        .select_related("receiving_unit", "competent_unit")
        .order_by("-submitted_at", "-id")
    )


def dossier_of(user, code) -> Dossier | None:
    """One of the account's dossiers by code (another person's dossier is "not found")."""
    if not getattr(user, "is_authenticated", False):
        return None
    return my_dossiers(user).filter(code=str(code).strip().upper()).first()


PLAIN_STATUS = {
    Status.SUBMITTED: gettext_lazy("Sent; the one-stop desk is checking it"),
    Status.RECEPTION_SUPPLEMENT: gettext_lazy("To be completed before it can be received"),
    Status.RECEPTION_REFUSED: gettext_lazy("Not received"),
    Status.RECEIVED: gettext_lazy("Received; being handled"),
    Status.TRANSFERRED: gettext_lazy("Being handled"),
    Status.IN_PROGRESS: gettext_lazy("Being handled"),
    Status.INTERAGENCY: gettext_lazy("Being handled (checked with another agency)"),
    Status.SUPPLEMENT: gettext_lazy("Waiting for your supplement"),
    Status.AWAITING_APPROVAL: gettext_lazy("Being handled (waiting for signature)"),
    Status.APPROVED: gettext_lazy("Approved; the result is being prepared"),
    Status.RESULT_READY: gettext_lazy("Result ready"),
    Status.RETURNED: gettext_lazy("Result handed over"),
    Status.REFUSED: gettext_lazy("Refused, with reasons"),
    Status.STOPPED: gettext_lazy("Stopped at your request"),
}


def plain_status(dossier) -> str:
    """The status in plain words for the applicant (the staff labels are the officers')."""
    return str(PLAIN_STATUS[Status(dossier.status)])


@dataclass
class Expected:
    """Something the citizen is expected to do now: ``kind`` (supplement, pay, collect,
    download, wait), a sentence, and where to do it (empty when done elsewhere)."""

    kind: str
    text: str
    url: str = ""
    action: str = ""


@dataclass
class Fees:
    amount: int
    paid: int
    undetermined: bool

    @property
    def due(self) -> int:
        return max(self.amount - self.paid, 0)


def fees(dossier: Dossier) -> Fees:
    return Fees(amount=dossier.fee_amount, paid=dossier_services.fee_paid_total(dossier), undetermined=dossier.fee_undetermined)


def expected_now(dossier: Dossier, fee_state: Fees | None = None) -> list[Expected]:
    """What the citizen is expected to do now about ``dossier``: the one place that says it
    (pages and API). Supplement, fees still due, collect or download the result; empty when
    nothing is expected (the administration is working on it, or it is closed).
    Extend here (paying online, rating the service)."""
    status = Status(dossier.status)
    out: list[Expected] = []
    code = dossier.code
    if status in (Status.RECEPTION_SUPPLEMENT, Status.SUPPLEMENT):
        out.append(Expected("supplement", _("Send the documents asked for: the dossier waits for them."), reverse("portal:supplement", args=[code]), _("Send the supplement")))
    fee_state = fee_state or fees(dossier)
    if fee_state.due > 0 and status not in dossier_services.NO_FEE_STATUSES and status not in (Status.RETURNED,):
        out.append(Expected("pay", _("Fees still to pay: %(due)s (pay at the one-stop desk, or online when the service is offered).") % {"due": dossier_services.vnd(fee_state.due)}))
    if status == Status.RESULT_READY:
        if dossier.result_file and dossier.delivery == Delivery.ONLINE:
            out.append(Expected("download", _("Your electronic result is ready: download it (it is also in your document vault)."), reverse("portal:result", args=[code]), _("Download the result")))
        elif dossier.delivery == Delivery.POST:
            out.append(Expected("collect", _("The result will be sent to you by post.")))
        else:
            out.append(Expected("collect", _("Collect the result at %(unit)s, with your identity document and the receipt.") % {"unit": dossier.receiving_unit.name}))
            if dossier.result_file:
                out.append(Expected("download", _("The electronic copy of the result is in your document vault."), reverse("portal:result", args=[code]), _("Download the result")))
    if status == Status.RETURNED and dossier.result_file:
        out.append(Expected("download", _("Your result is in your document vault."), reverse("portal:result", args=[code]), _("Download the result")))
    return out


def supplement_request(dossier: Dossier) -> dict | None:
    """The latest request to complete the dossier (items and reason), if one is open."""
    if Status(dossier.status) not in (Status.RECEPTION_SUPPLEMENT, Status.SUPPLEMENT):
        return None
    doc = dossier.documents.filter(kind=DocumentKind.SUPPLEMENT).order_by("-issued_at", "-id").first()
    if doc is None:
        return {"items": [], "reason": "", "document": None}
    return {"items": list(doc.data.get("items") or []), "reason": doc.data.get("reason", ""), "document": doc}


CITIZEN_DOCUMENT_KINDS = (DocumentKind.RECEIPT, DocumentKind.SUPPLEMENT, DocumentKind.REFUSAL, DocumentKind.APOLOGY, DocumentKind.STOP)


def issued_documents(dossier: Dossier):
    """The forms issued to the applicant (the process-control sheet is internal)."""
    return dossier.documents.filter(kind__in=CITIZEN_DOCUMENT_KINDS).order_by("issued_at", "id")


def is_closed(dossier: Dossier) -> bool:
    return Status(dossier.status) in FINAL


def can_stop(dossier: Dossier) -> bool:
    from xaso.dossiers.states import BEFORE_RESULT

    return Status(dossier.status) in BEFORE_RESULT


def due_text(dossier: Dossier) -> str:
    if dossier.due_at is None:
        return ""
    return timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")


# --------------------------------------------------------------------------- finder


def life_events(query: str = ""):
    from xaso.catalog.text import normalise

    events = list(LifeEvent.objects.filter(active=True).prefetch_related("questions__answers"))
    terms = normalise(query).split()
    if not terms:
        return events
    out = []
    for e in events:
        text = normalise(" ".join([e.name, e.description, e.keywords]))
        if all(t in text for t in terms):
            out.append(e)
    return out


def procedures_by_codes(text: str) -> list[Procedure]:
    codes = [line.strip() for line in (text or "").splitlines() if line.strip()]
    found = {p.code: p for p in Procedure.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def finder_result(event: LifeEvent, answers: dict[int, int]) -> tuple[list[Procedure], list[str]]:
    """The procedures a life event leads to with the answers given ({question id: answer
    id}), in order and without repeats, and the notes of the answers chosen."""
    codes = [line.strip() for line in event.procedure_codes.splitlines() if line.strip()]
    notes = []
    for q in event.questions.all():
        chosen = answers.get(q.pk)
        for a in q.answers.all():
            if a.pk == chosen:
                codes += [line.strip() for line in a.procedure_codes.splitlines() if line.strip()]
                if a.note:
                    notes.append(a.note)
    seen, ordered = set(), []
    for c in codes:
        if c not in seen:
            seen.add(c)
            ordered.append(c)
    found = {p.code: p for p in Procedure.objects.filter(code__in=ordered).filter(Q(versions__valid_to__isnull=True)).distinct()}
    return [found[c] for c in ordered if c in found], notes
