"""The dossier state machine: one table, no Django import.

Each row says, for one business action: the states it may start from, the state it leads to
(``None`` = the status does not change, e.g. an apology), the roles allowed to do it, and
whether a specialist must be the official the dossier is assigned to.

Whose scope the actor must be in follows from the role (``scope_of``):
- ``reception`` acts for the one-stop desk that took the dossier: the actor must hold the
  role in scope of the *receiving* unit (NĐ 118/2025 Điều 17);
- every other staff role acts in scope of the unit *currently* handling the dossier
  (NĐ 118/2025 Điều 18: after the transfer the competent unit handles it);
- ``applicant`` is the citizen or organisation account that owns the dossier.

The service layer (``services.py``) enforces every row; the tests walk the whole table.
"""
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "submitted"  # online submission waiting for the reception check
    RECEPTION_SUPPLEMENT = "reception_supplement"  # returned at reception to be completed
    RECEPTION_REFUSED = "reception_refused"  # Phiếu từ chối tiếp nhận
    RECEIVED = "received"  # received at the one-stop desk, not yet transferred
    TRANSFERRED = "transferred"  # at the competent unit, waiting for assignment
    IN_PROGRESS = "in_progress"  # assigned to a specialist, being appraised
    INTERAGENCY = "interagency"  # sent to another unit or agency (liên thông)
    SUPPLEMENT = "supplement"  # waiting for the applicant's supplement (clock paused)
    HEAD_REVIEW = "head_review"  # submitted to the head of the competent unit for review
    AWAITING_APPROVAL = "awaiting_approval"  # submitted to the leader for approval/signature
    APPROVED = "approved"  # approved and signed, result being digitised
    RESULT_READY = "result_ready"  # result at the one-stop desk, waiting to be returned
    RETURNED = "returned"  # result handed back (Đã trả kết quả)
    REFUSED = "refused"  # handling refused with reasons (Từ chối giải quyết)
    STOPPED = "stopped"  # stopped at the applicant's request (Dừng giải quyết)


class Action(StrEnum):
    RECEIVE = "receive"
    RECEPTION_SUPPLEMENT = "reception_supplement"
    RESUBMIT = "resubmit"
    REFUSE_RECEPTION = "refuse_reception"
    TRANSFER = "transfer"
    ASSIGN = "assign"
    SUBMIT_FOR_REVIEW = "submit_for_review"
    FORWARD_FOR_APPROVAL = "forward_for_approval"
    SUBMIT_FOR_APPROVAL = "submit_for_approval"
    SEND_BACK = "send_back"
    APPROVE = "approve"
    REFUSE = "refuse"
    SEND_INTERAGENCY = "send_interagency"
    INTERAGENCY_BACK = "interagency_back"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT_RECEIVED = "supplement_received"
    RESULT_READY = "result_ready"
    RETURN_RESULT = "return_result"
    STOP = "stop"
    APOLOGISE = "apologise"


class Scope(StrEnum):
    RECEIVING = "receiving"
    CURRENT = "current"
    OWNER = "owner"


# Pseudo-role of the citizen or organisation that owns the dossier.
APPLICANT = "applicant"
ROLES = ("admin", "leader", "standing_office", "unit_head", "reception", "specialist", APPLICANT)

# Statuses in which a result or a refusal exists or the dossier is closed.
FINAL = frozenset({Status.RETURNED, Status.REFUSED, Status.STOPPED, Status.RECEPTION_REFUSED})
# Statuses in which the legal clock runs (the dossier has been received and is not finished).
CLOCK_RUNNING = frozenset(
    {
        Status.RECEIVED,
        Status.TRANSFERRED,
        Status.IN_PROGRESS,
        Status.INTERAGENCY,
        Status.HEAD_REVIEW,
        Status.AWAITING_APPROVAL,
        Status.APPROVED,
    }
)
# Before a decision or result notice exists (NĐ 118/2025 Điều 21: a stop request is accepted
# only then).
BEFORE_RESULT = frozenset(
    {
        Status.SUBMITTED,
        Status.RECEPTION_SUPPLEMENT,
        Status.RECEIVED,
        Status.TRANSFERRED,
        Status.IN_PROGRESS,
        Status.INTERAGENCY,
        Status.SUPPLEMENT,
        Status.HEAD_REVIEW,
        Status.AWAITING_APPROVAL,
    }
)


# Conditions on the dossier's internal process (copied from the catalogue at receipt): a
# process with the head of department's review step ("Trưởng phòng xem xét") goes through it
# before the leader's approval; a process without it goes straight to the leader.
HEAD_REVIEW = "head_review"
NO_HEAD_REVIEW = "no_head_review"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset
    target: Status | None
    roles: frozenset
    assignee_only: bool = False  # a specialist may act only on dossiers assigned to them
    when: str | None = None  # HEAD_REVIEW / NO_HEAD_REVIEW: only for dossiers whose process has / lacks that step


def _t(action, sources, target, roles, assignee_only=False, when=None):
    return Transition(action, frozenset(sources), target, frozenset(roles), assignee_only, when)


def condition_holds(transition: Transition, has_head_review: bool) -> bool:
    """Whether the transition's condition on the internal process holds for a dossier."""
    if transition.when == HEAD_REVIEW:
        return has_head_review
    if transition.when == NO_HEAD_REVIEW:
        return not has_head_review
    return True


def scope_of(role) -> Scope:
    if role == APPLICANT:
        return Scope.OWNER
    if role == "reception":
        return Scope.RECEIVING
    return Scope.CURRENT


S = Status
_HANDLERS = ("specialist", "unit_head")
TABLE: dict[Action, Transition] = {
    t.action: t
    for t in [
        # Reception check of an online submission (B1 in vn-rules 1.3).
        _t(Action.RECEIVE, [S.SUBMITTED], S.RECEIVED, ["reception"]),
        _t(Action.RECEPTION_SUPPLEMENT, [S.SUBMITTED], S.RECEPTION_SUPPLEMENT, ["reception"]),
        _t(Action.RESUBMIT, [S.RECEPTION_SUPPLEMENT], S.SUBMITTED, [APPLICANT, "reception"]),
        _t(Action.REFUSE_RECEPTION, [S.SUBMITTED, S.RECEPTION_SUPPLEMENT], S.RECEPTION_REFUSED, ["reception"]),
        # B2: transfer to the competent unit (NĐ 118/2025 Điều 18).
        _t(Action.TRANSFER, [S.RECEIVED], S.TRANSFERRED, ["reception"]),
        # B3: assignment, appraisal, the head of department's review (when the procedure's
        # internal process has it), the leader's approval.
        _t(Action.ASSIGN, [S.TRANSFERRED, S.IN_PROGRESS], S.IN_PROGRESS, ["unit_head"]),
        _t(Action.SUBMIT_FOR_REVIEW, [S.IN_PROGRESS], S.HEAD_REVIEW, _HANDLERS, assignee_only=True, when=HEAD_REVIEW),
        _t(Action.FORWARD_FOR_APPROVAL, [S.HEAD_REVIEW], S.AWAITING_APPROVAL, ["unit_head"]),
        _t(Action.SUBMIT_FOR_APPROVAL, [S.IN_PROGRESS], S.AWAITING_APPROVAL, _HANDLERS, assignee_only=True, when=NO_HEAD_REVIEW),
        _t(Action.SEND_BACK, [S.HEAD_REVIEW, S.AWAITING_APPROVAL], S.IN_PROGRESS, ["leader", "unit_head"]),
        _t(Action.APPROVE, [S.AWAITING_APPROVAL], S.APPROVED, ["leader"]),
        _t(Action.REFUSE, [S.AWAITING_APPROVAL], S.REFUSED, ["leader"]),
        # Inter-agency steps (liên thông).
        _t(Action.SEND_INTERAGENCY, [S.IN_PROGRESS], S.INTERAGENCY, _HANDLERS, assignee_only=True),
        _t(Action.INTERAGENCY_BACK, [S.INTERAGENCY], S.IN_PROGRESS, _HANDLERS, assignee_only=True),
        # Supplement during processing: the clock pauses (vn-rules 1.5).
        _t(Action.REQUEST_SUPPLEMENT, [S.IN_PROGRESS, S.HEAD_REVIEW, S.AWAITING_APPROVAL], S.SUPPLEMENT, _HANDLERS, assignee_only=True),
        # Received at the desk, or sent online by the applicant (the clock resumes then).
        _t(Action.SUPPLEMENT_RECEIVED, [S.SUPPLEMENT], S.IN_PROGRESS, ["reception", *_HANDLERS, APPLICANT]),
        # B4/B5: electronic result, then return to the applicant.
        _t(Action.RESULT_READY, [S.APPROVED], S.RESULT_READY, _HANDLERS, assignee_only=True),
        _t(Action.RETURN_RESULT, [S.RESULT_READY], S.RETURNED, ["reception"]),
        # The applicant asks to stop (NĐ 118/2025 Điều 21; TT 03/2025 Điều 7): at the desk
        # (k1, the reception officer records it), or online by the applicant (k2, the notice
        # is issued by the system).
        _t(Action.STOP, BEFORE_RESULT, S.STOPPED, ["reception", APPLICANT]),
        # Apology and new date (vn-rules 1.6): signed by the head of the unit at fault.
        _t(
            Action.APOLOGISE,
            [S.RECEIVED, S.TRANSFERRED, S.IN_PROGRESS, S.INTERAGENCY, S.HEAD_REVIEW, S.AWAITING_APPROVAL, S.APPROVED],
            None,
            ["unit_head", "leader"],
        ),
    ]
}


def transition(action) -> Transition:
    return TABLE[Action(action)]


def next_status(action, status):
    """The status after ``action`` from ``status``; ``None`` when the action is not
    allowed from there. Actions that keep the status return it unchanged."""
    t = transition(action)
    status = Status(status)
    if status not in t.sources:
        return None
    return t.target or status


def actions_from(status) -> list[Action]:
    status = Status(status)
    return [a for a, t in TABLE.items() if status in t.sources]


def role_may(action, roles) -> bool:
    return bool(transition(action).roles & set(roles))
