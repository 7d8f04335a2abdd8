"""The online payment state machine: one table, no Django import.

A payment is *started* when the payer is sent to the gateway. Only the gateway's
server-to-server notification (IPN) or its answer to a status query (querydr, run by the
reconciliation) changes it afterwards: the browser's return is displayed, never believed.

- started → processing: the gateway knows the transaction and has not finished it;
- started/processing → completed: the gateway says it was paid;
- started/processing → failed: the gateway says it failed, or the payment expired and the
  gateway does not know it (abandoned: the dossier is payable again);
- failed → completed: money taken after all (a late success notification for a payment the
  reconciliation had given up): recorded, never lost;
- completed → refunded: a payment that could not count for the dossier (already paid by
  another tab or at the counter) is given back.

A payment is counted for the dossier once: its fee payment row (``dossiers.FeePayment``)
is unique per gateway reference.
"""
from enum import StrEnum


class State(StrEnum):
    STARTED = "started"
    PROCESSING = "processing"
    FAILED = "failed"
    COMPLETED = "completed"
    REFUNDED = "refunded"


S = State
TRANSITIONS: dict[State, frozenset] = {
    S.STARTED: frozenset({S.PROCESSING, S.COMPLETED, S.FAILED}),
    S.PROCESSING: frozenset({S.COMPLETED, S.FAILED}),
    S.FAILED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset(),
}

# The gateway may still settle these: the reconciliation asks about them.
PENDING = frozenset({S.STARTED, S.PROCESSING})
# A notification for a payment in one of these is a duplicate (answered "already confirmed").
CONFIRMED = frozenset({S.COMPLETED, S.REFUNDED})


def can_move(source, target) -> bool:
    return State(target) in TRANSITIONS[State(source)]
