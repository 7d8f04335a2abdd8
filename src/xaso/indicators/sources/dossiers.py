"""Targets measured from dossiers (Bộ chỉ số 766, QĐ 766/QĐ-TTg 2023; vn-rules §3.2).

Common rules:

* scope: dossiers whose *competent* unit is the commune or one of its units (a dossier
  received by another commune's centre still counts for the commune that decides it);
  inter-agency copies are counted once (``is_original``, as the 766 statistics do);
* the period is a date range in the commune's time zone, both ends included;
* due dates are never recomputed here: ``Dossier.legal_due_at`` (and ``due_at``, the apology's
  new date if any) are the copies the dossiers app keeps from its one due-date function
  (``dossiers.deadlines.compute``) on every change;
* a dossier is classified on time or late by the dossiers app's one rule
  (``dossiers.deadlines.timeliness``; in queries its twin ``dossiers.selectors.on_time_q``):
  against the **legal** due date — an apology's new date does not make a dossier on time —
  and late whatever its dates after a second supplement request.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xaso.dossiers import selectors as dossier_selectors
from xaso.dossiers.models import Channel, Component, Dossier, FeePayment, PaidOnline, Step
from xaso.dossiers.states import Status

from .. import registry

# A processing end (766 item 2.1: "Đã xử lý xong" > "Đã trả kết quả" > "Dừng xử lý/Từ chối").
# Refusal at reception is not counted: the dossier was never received, no clock ran.
FINISHED = (Status.RESULT_READY, Status.RETURNED, Status.REFUSED, Status.STOPPED)


def bounds(start, end):
    """[start 00:00, day after end 00:00) as aware datetimes in the local time zone."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def in_commune(commune):
    """Dossiers decided by ``commune`` (competent unit = the commune or a unit below it)."""
    return Dossier.objects.filter(competent_unit_id__in=commune.descendant_ids(), is_original=True)


def received_in(commune, start, end):
    lo, hi = bounds(start, end)
    return in_commune(commune).filter(received_at__gte=lo, received_at__lt=hi)


def finished_in(commune, start, end):
    lo, hi = bounds(start, end)
    return in_commune(commune).filter(status__in=FINISHED, finished_at__gte=lo, finished_at__lt=hi)


def on_time_q():
    """The dossiers app's classification, in the database (``dossiers.selectors.on_time_q``)."""
    return dossier_selectors.on_time_q()


@registry.provide("dossiers_on_time")
def dossiers_on_time(commune, start, end):
    """Dossiers finished by their due date ÷ dossiers finished in the period. "Finished" is
    the 766 processing end: a result (``finished_at`` = result ready), a refusal after
    processing or a stop at the applicant's request — a refusal decided in time is handled
    in time. Supplement time is already excluded from the stored due date (the clock
    pauses); a second supplement request makes the dossier late whatever its dates."""
    finished = dossier_selectors.with_late_flag(finished_in(commune, start, end))
    on_time = finished.filter(on_time_q())
    return registry.Measurement(on_time.count(), finished.count(), records=on_time, base=finished)


@registry.provide("online_dossier_share")
def online_dossier_share(commune, start, end):
    """766 item 3.3 (simplified to the channel): dossiers received online (KenhThucHien 2) ÷
    dossiers received in the period."""
    received = received_in(commune, start, end)
    online = received.filter(channel=Channel.ONLINE)
    return registry.Measurement(online.count(), received.count(), records=online, base=received)


@registry.provide("online_payment_share")
def online_payment_share(commune, start, end):
    """766 item 3.6: dossiers paid online (DuocThanhToanTrucTuyen 1 or 2) ÷ dossiers with
    fees, by reception date in the period.

    Payments are recorded by ``dossiers.services.record_fee_payment`` (a ``FeePayment`` row
    each; the counter desk for cash and bank transfers, the payment platform for online
    payments), which sets ``fee_paid`` and ``paid_online``. While no payment at all is
    recorded for the commune's dossiers (the desk does not use fee collection yet, no
    payment platform is connected), a ratio would be a false 0%: this says "no data" and
    why. Dossiers marked paid by another system (``fee_paid``/``paid_online`` without a
    ``FeePayment``) count as recorded payments too."""
    with_fees = received_in(commune, start, end).filter(fee_amount__gt=0)
    commune_dossiers = in_commune(commune)
    recorded = FeePayment.objects.filter(dossier__in=commune_dossiers).exists() or commune_dossiers.filter(
        Q(fee_paid=True) | ~Q(paid_online=PaidOnline.NO)
    ).exists()
    if not recorded:
        return registry.Measurement(0, 0, note=_("no fee payment is recorded for this commune's dossiers yet"))
    paid = with_fees.exclude(paid_online=PaidOnline.NO)
    return registry.Measurement(paid.count(), with_fees.count(), records=paid, base=with_fees)


@registry.provide("data_reuse")
def data_reuse(commune, start, end):
    """766 item 4.3: dossiers received in the period with at least one component reused from
    digitised data (DuocLayTuKhoDMQG) ÷ dossiers received in the period."""
    received = received_in(commune, start, end)
    reusing = received.filter(Exists(Component.objects.filter(dossier=OuterRef("pk"), submitted=True, reused=True)))
    return registry.Measurement(reusing.count(), received.count(), records=reusing, base=received)


@registry.provide("data_reuse_components")
def data_reuse_components(commune, start, end):
    """Components reused from digitised data ÷ components submitted, in dossiers received in
    the period (a finer view of the same fact)."""
    received = received_in(commune, start, end)
    components = Component.objects.filter(dossier__in=received, submitted=True)
    reused = components.filter(reused=True)
    return registry.Measurement(
        reused.count(),
        components.count(),
        records=received.filter(Exists(reused.filter(dossier=OuterRef("pk")))),
        base=received,
    )


def _full_online_codes(at):
    from xaso.catalog.models import ProcedureVersion

    versions = ProcedureVersion.objects.filter(
        level=ProcedureVersion.Level.COMMUNE, online_level=ProcedureVersion.OnlineLevel.FULL, valid_from__lte=at
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at))
    return set(versions.values_list("procedure__code", flat=True))


@registry.provide("full_online_procedures")
def full_online_procedures(commune, start, end):
    """766 item 3.2 for full-online services: commune-level procedures offered fully online
    in the catalogue (version in force at the end of the period) that received at least one
    online dossier in the commune in the period ÷ those procedures. The catalogue has no
    separate "eligible for full online" fact, so "eligible" = offered fully online."""
    _, hi = bounds(start, end)
    eligible = _full_online_codes(hi - timedelta(microseconds=1))
    online = received_in(commune, start, end).filter(channel=Channel.ONLINE, procedure_code__in=eligible)
    used = set(online.values_list("procedure_code", flat=True).distinct())
    return registry.Measurement(len(used), len(eligible), records=online, base=received_in(commune, start, end).filter(procedure_code__in=eligible))


# ---------------------------------------------------------------------------------------
# Lateness counts for the chairman (not targets): apologies issued for late dossiers, and
# dossiers past their due date without an apology.


def apologies_issued(commune, start, end):
    """Dossiers of the commune that got an apology and new date (Phiếu xin lỗi) in the period."""
    lo, hi = bounds(start, end)
    return in_commune(commune).filter(apology__issued_at__gte=lo, apology__issued_at__lt=hi)


def overdue_without_apology(commune, now=None):
    """Dossiers of the commune past their due date, still being handled, without an apology
    (waiting for the applicant's supplement does not count: the clock is paused). Same rule
    as the dossiers app's alert."""
    from xaso.dossiers.selectors import overdue_without_apology as alert

    return alert(now=now).filter(pk__in=in_commune(commune).values("pk"))


def late_finished_without_apology(commune, start, end):
    """Dossiers finished in the period after their legal due date with no apology."""
    finished = finished_in(commune, start, end)
    return finished.filter(finished_at__gt=F("legal_due_at"), apology__isnull=True)


LATENESS_LABELS = {
    "apologies": _("Apologies and new dates issued in the period"),
    "late_without_apology": _("Finished late in the period without an apology"),
    "overdue_without_apology": _("Overdue now without an apology"),
}


def lateness_by_unit_and_official(kind, dossiers):
    """Who is behind a lateness count (vn-rules 1.6: both are counted per unit and per
    official): ``(by_unit, by_official)``, each a list of ``(name, dossiers)`` with the most
    first; a dossier without a named official counts under ``None``.

    - ``apologies``: the unit and the official at fault written on the apology;
    - ``overdue_without_apology``: the unit holding the dossier now and its assignee;
    - ``late_without_apology``: the hand-overs that went past their own due time (each unit
      and official once per dossier; the official of a step held by a unit is the one who
      handed the dossier on); a dossier late with no step over its own time (the
      time went in a step without a share) counts for its competent unit, official unnamed.
    """
    if kind == "apologies":
        unit, official = "apology__unit__name", "apology__official__full_name"
        rows = dossiers
    elif kind == "overdue_without_apology":
        unit, official = "current_unit__name", "assignee__full_name"
        rows = dossiers
    elif kind == "late_without_apology":
        # A step held by a unit rather than a person (waiting for the head's assignment, for
        # the leader's signature) was ended by whoever handed the dossier on: the next
        # hand-over's giver.
        handed_on_by = Step.objects.filter(dossier=OuterRef("dossier"), seq=OuterRef("seq") + 1).values("given_by__full_name")[:1]
        late_steps = Step.objects.filter(dossier__in=dossiers.values("pk"), finished_at__gt=F("due_at")).annotate(
            official=Coalesce(F("assignee__full_name"), Subquery(handed_on_by))
        )
        by_unit = _grouped(late_steps, "unit__name", "dossier")
        by_official = _grouped(late_steps, "official", "dossier")
        unexplained = dossiers.exclude(pk__in=late_steps.values("dossier"))
        for name, n in _grouped(unexplained, "competent_unit__name", "pk"):
            by_unit = _merge(by_unit, name, n)
        n = unexplained.count()
        if n:
            by_official = _merge(by_official, None, n)
        return by_unit, by_official
    else:
        raise KeyError(kind)
    return _grouped(rows, unit, "pk"), _grouped(rows, official, "pk")


def _grouped(qs, name, counted):
    rows = qs.order_by().values(name).annotate(n=Count(counted, distinct=True)).values_list(name, "n")
    return sorted(((value or None, n) for value, n in rows), key=lambda r: (-r[1], r[0] or ""))


def _merge(rows, name, n):
    counts = dict(rows)
    counts[name] = counts.get(name, 0) + n
    return sorted(counts.items(), key=lambda r: (-r[1], r[0] or ""))


def lateness(commune, start, end, now=None):
    return {
        "apologies": apologies_issued(commune, start, end),
        "overdue_without_apology": overdue_without_apology(commune, now),
        "late_without_apology": late_finished_without_apology(commune, start, end),
    }


def period_figures(commune, start, end, now=None) -> dict:
    """The commune's dossier figures for a period, for the periodic report: received (and
    online), finished (on time / late by the one classification, against the legal due
    date), refused after processing, stopped, apologies issued, and still running and overdue
    now. Plain counts from the records."""
    received = received_in(commune, start, end)
    finished = dossier_selectors.with_late_flag(finished_in(commune, start, end))
    on_time = finished.filter(on_time_q())
    return {
        "received": received.count(),
        "online": received.filter(channel=Channel.ONLINE).count(),
        "finished": finished.count(),
        "on_time": on_time.count(),
        "late": finished.count() - on_time.count(),
        "refused": finished.filter(status=Status.REFUSED).count(),
        "stopped": finished.filter(status=Status.STOPPED).count(),
        "apologies": apologies_issued(commune, start, end).count(),
        "overdue_now": overdue_without_apology(commune, now).count(),
    }
