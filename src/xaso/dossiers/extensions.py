"""Where other apps plug into the dossier lifecycle without the dossiers app knowing them.

Dependencies point one way: ``payments`` and ``ratings`` import ``dossiers``, never the
reverse. They register here, in their ``AppConfig.ready()``:

- ``guards``: ``guard(dossier, action) -> str | None`` — called with the locked dossier
  before every business action (after the state, role and scope checks); a message refuses
  the action (e.g. the fees must be paid before the dossier is received);
- ``after_event``: ``hook(dossier, event)`` — called in the action's transaction after its
  history event is written (e.g. invite the applicant to rate once the dossier is closed);
- ``after_fee_payment``: ``hook(payment)`` — called in the transaction that records a fee
  payment (e.g. issue the electronic receipt);
- ``payload_fields``: ``fields(dossier) -> dict`` — merged into the national-portal payload;
- ``detail_panels``: ``panel(request, dossier) -> (template name, context) | None`` — extra
  sections of the staff dossier page.
"""
from __future__ import annotations

guards: list = []
after_event: list = []
after_fee_payment: list = []
payload_fields: list = []
detail_panels: list = []


def _register(registry: list, func):
    if func not in registry:
        registry.append(func)
    return func


def guard(func):
    return _register(guards, func)


def on_event(func):
    return _register(after_event, func)


def on_fee_payment(func):
    return _register(after_fee_payment, func)


def payload(func):
    return _register(payload_fields, func)


def panel(func):
    return _register(detail_panels, func)


def refusal(dossier, action) -> str | None:
    for check in guards:
        message = check(dossier, action)
        if message:
            return message
    return None
