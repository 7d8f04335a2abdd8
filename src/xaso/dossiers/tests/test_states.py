"""The transition table, walked exhaustively: every state × action × role."""
import itertools

import pytest

from xaso.dossiers import services, states
from xaso.dossiers.models import Dossier
from xaso.dossiers.states import APPLICANT, Action, Status

from .conftest import at


def test_table_is_consistent():
    for action, t in states.TABLE.items():
        assert t.action == action
        assert t.sources, action
        assert t.roles <= set(states.ROLES), action
        for s in t.sources:
            assert states.next_status(action, s) in Status
    # Final states have no way out except none.
    for s in states.FINAL:
        assert states.actions_from(s) == []
    # Every non-final state can move on.
    for s in set(Status) - states.FINAL:
        assert states.actions_from(s), s


def test_every_state_is_reachable():
    seen, frontier = {Status.SUBMITTED, Status.RECEIVED}, [Status.SUBMITTED, Status.RECEIVED]
    while frontier:
        s = frontier.pop()
        for a in states.actions_from(s):
            n = states.next_status(a, s)
            if n not in seen:
                seen.add(n)
                frontier.append(n)
    assert seen == set(Status)


def actor_for(world, role, at_desk=False):
    if role == "unit_head" and at_desk:
        return world.centre_head
    return {
        "admin": world.admin,
        "leader": world.leader,
        "standing_office": world.standing,
        "unit_head": world.head,
        "reception": world.reception,
        "specialist": world.specialist,
        APPLICANT: world.citizen,
    }[role]


@pytest.mark.django_db
def test_exhaustive_permissions(world, make_intake):
    base = make_intake()
    base.applicant_account = world.citizen
    base.save()
    cases = 0
    for status, action, role in itertools.product(Status, Action, states.ROLES):
        d = Dossier.objects.get(pk=base.pk)
        d.status = status
        # The desk holds dossiers before the transfer and after the result; the competent
        # unit in between.
        at_desk = status in (Status.SUBMITTED, Status.RECEPTION_SUPPLEMENT, Status.RECEIVED, Status.RESULT_READY, Status.RETURNED)
        d.current_unit = world.centre if at_desk else world.dept
        d.assignee = world.specialist
        t = states.TABLE[action]
        # The base dossier's process has no head-of-department review step.
        expected = status in t.sources and role in t.roles and states.condition_holds(t, False)
        ok, why = services.permitted(d, action, actor_for(world, role, at_desk))
        assert ok == expected, (status, action, role, why)
        if not ok:
            assert why
        cases += 1
    assert cases == len(Status) * len(Action) * len(states.ROLES)


@pytest.mark.django_db
def test_scope_and_assignee(world, make_intake):
    d = make_intake()
    # Another commune's reception officer cannot transfer this dossier.
    assert not services.permitted(d, Action.TRANSFER, world.outsider_reception)[0]
    assert services.permitted(d, Action.TRANSFER, world.reception)[0]
    services.transfer(d, world.reception, now=at(2026, 3, 2, 10))
    d.refresh_from_db()
    assert not services.permitted(d, Action.ASSIGN, world.outsider_head)[0]
    services.assign(d, world.head, specialist=world.specialist, now=at(2026, 3, 2, 11))
    d.refresh_from_db()
    # Only the assigned specialist (or the head) may move it on.
    assert not services.permitted(d, Action.SUBMIT_FOR_APPROVAL, world.specialist2)[0]
    assert services.permitted(d, Action.SUBMIT_FOR_APPROVAL, world.specialist)[0]
    assert services.permitted(d, Action.SUBMIT_FOR_APPROVAL, world.head)[0]
    assert not services.permitted(d, Action.SUBMIT_FOR_APPROVAL, world.outsider_specialist)[0]
