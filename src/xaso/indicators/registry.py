"""The registry of measurement functions behind *measured* targets.

A metric is declared here with what it measures and where its data will come from; the
feature that owns the data (dossiers, payments, ratings, surveys) plugs a provider in::

    from xaso.indicators import registry

    @registry.provide("dossiers_on_time")
    def on_time(commune, start, end):
        ...
        return registry.Measurement(numerator=on_time_count, denominator=total)

A provider returns ``None`` or a zero denominator when it has nothing for the period: the
target then shows "no data yet", never 0%.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Measurement:
    numerator: Decimal | int
    denominator: Decimal | int
    note: str = ""  # e.g. why there are no data
    # The records behind the number (querysets): those counted in the numerator, and the
    # whole the share is taken of. Not part of equality.
    records: object = field(default=None, compare=False, repr=False)
    base: object = field(default=None, compare=False, repr=False)

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Metric:
    key: str
    label: object
    source: object  # where the numbers come from (shown with the target)
    provider: Callable | None = None


METRICS: dict[str, Metric] = {}


def define(key: str, label, source) -> Metric:
    metric = METRICS.get(key)
    if metric is None:
        metric = METRICS[key] = Metric(key, label, source)
    return metric


def provide(key: str):
    def decorator(func):
        if key not in METRICS:
            raise KeyError(f"unknown metric {key!r}")
        METRICS[key].provider = func
        return func

    return decorator


def evaluate(key: str, commune, start, end) -> Measurement | None:
    """What the provider says, including a zero denominator and its note (why no data)."""
    metric = METRICS.get(key)
    if metric is None or metric.provider is None:
        return None
    return metric.provider(commune, start, end)


def measure(key: str, commune, start, end) -> Measurement | None:
    result = evaluate(key, commune, start, end)
    if result is None or not result.denominator:
        return None
    return result


# The measurements the plan's targets need. Formulas follow Bộ chỉ số 766 (QĐ 766/QĐ-TTg,
# see vn-rules §3.2) where one exists.
define("online_payment_share", _("Online payment transactions ÷ dossiers with fees"), _("766 indicator 3.6: dossiers paid online ÷ dossiers of procedures with fees"))
define("procedures_with_online_payment", _("Procedures with fees payable online ÷ procedures with fees"), _("766 indicator 3.5: procedures with fees integrated with online payment (catalogue)"))
define("procedures_with_online_payment_transactions", _("Procedures with fees that had an online payment"), _("766 indicator 3.5b: procedures with fees that had a dossier paid online ÷ procedures with fees that had dossiers"))
define("dossiers_on_time", _("Dossiers handled before or on time"), _("766 indicator 2.1, finished dossiers: dossiers finished by their due date ÷ dossiers finished in the period"))
define("satisfaction_procedures", _("Citizens satisfied with the handling of procedures"), _("Ratings of dossiers by their applicants: very satisfied or satisfied ÷ rated"))
define("satisfaction_land_construction_investment", _("Satisfaction: land, construction, investment procedures"), _("Ratings of dossiers in the land, construction and investment fields"))
define("data_reuse", _("Dossiers reusing digitised data"), _("766 indicator 4.3: dossiers with a component reusing digitised data ÷ dossiers received"))
define("full_online_procedures", _("Eligible procedures offered fully online"), _("766 indicator 3.2: procedures offered fully online in the catalogue that received an online dossier ÷ procedures offered fully online"))
define("online_dossier_share", _("Dossiers received online"), _("766 indicator 3.3: dossiers received online (channel 2) ÷ dossiers received"))
define("data_reuse_components", _("Components reusing digitised data"), _("Components reused from stored digitised data ÷ components submitted"))
