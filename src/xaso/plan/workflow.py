"""The review state machine of a unit's progress report: the one table of allowed moves.

A lead unit drafts and submits; the standing office (Phòng Văn hóa - Xã hội, role
``standing_office``) returns it with comments or accepts it. A returned report is corrected
and submitted again. An accepted report is final for its period.
"""
DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
ACCEPTED = "accepted"
STATES = (DRAFT, SUBMITTED, RETURNED, ACCEPTED)

SAVE = "save"
SUBMIT = "submit"
RETURN = "return"
ACCEPT = "accept"

# (state, action) -> (new state, who may do it)
TRANSITIONS = {
    (DRAFT, SAVE): (DRAFT, "reporter"),
    (RETURNED, SAVE): (RETURNED, "reporter"),
    (DRAFT, SUBMIT): (SUBMITTED, "reporter"),
    (RETURNED, SUBMIT): (SUBMITTED, "reporter"),
    (SUBMITTED, RETURN): (RETURNED, "reviewer"),
    (SUBMITTED, ACCEPT): (ACCEPTED, "reviewer"),
}

EDITABLE = frozenset({DRAFT, RETURNED})


class TransitionError(Exception):
    def __init__(self, state, action):
        self.state, self.action = state, action
        super().__init__(f"{action} not allowed from {state}")


def next_state(state: str, action: str) -> tuple[str, str]:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionError(state, action) from None


def allowed_actions(state: str, actor_kind: str) -> list[str]:
    return [a for (s, a), (_, who) in TRANSITIONS.items() if s == state and who == actor_kind]
