"""Officials' KPI (plan task 34: "Áp dụng Chỉ số đánh giá hiệu suất công việc (KPI)") — the
pure formula, no Django. Documented in docs/kpi.md.

Components, each a share in [0, 1] or ``None`` (no data):

* ``volume``        = min(1, dossiers handled ÷ volume_norm)
* ``on_time``       = dossiers handled on time ÷ dossiers handled
* ``rating``        = dossiers rated satisfied ÷ dossiers rated
* ``tasks_on_time`` = plan reports submitted by the due date ÷ plan reports submitted
* ``tasks_accepted``= plan reports accepted ÷ plan reports submitted

No dossier handled means the three dossier components are "no data", not 0%; no rating means
``rating`` is "no data"; no plan report submitted means both plan components are "no data".

KPI = 100 × Σ wᵢ·cᵢ ÷ Σ wᵢ over the components that have data (and a positive weight);
``None`` when none has. Scaling every weight by the same factor leaves the KPI unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

COMPONENTS = ("volume", "on_time", "rating", "tasks_on_time", "tasks_accepted")


@dataclass(frozen=True)
class DossierStats:
    handled: int
    on_time: int
    rated: int = 0
    satisfied: int = 0


@dataclass(frozen=True)
class TaskStats:
    submitted: int
    on_time: int
    accepted: int


@dataclass(frozen=True)
class Weights:
    volume: Decimal = Decimal("0.15")
    on_time: Decimal = Decimal("0.30")
    rating: Decimal = Decimal("0.15")
    tasks_on_time: Decimal = Decimal("0.20")
    tasks_accepted: Decimal = Decimal("0.20")
    volume_norm: int = 60


@dataclass(frozen=True)
class KpiResult:
    score: Decimal | None
    components: dict  # name -> Decimal share in [0, 1] or None

    @property
    def no_data(self):
        return self.score is None


def _share(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    if numerator < 0 or denominator < 0 or numerator > denominator:
        raise ValueError("a count is negative or a part exceeds its whole")
    return Decimal(numerator) / Decimal(denominator)


def components(dossiers: DossierStats | None, tasks: TaskStats | None, volume_norm: int) -> dict:
    result = dict.fromkeys(COMPONENTS)
    if dossiers is not None and dossiers.handled > 0:
        if volume_norm <= 0:
            raise ValueError("volume_norm must be positive")
        result["volume"] = min(Decimal(1), Decimal(dossiers.handled) / Decimal(volume_norm))
        result["on_time"] = _share(dossiers.on_time, dossiers.handled)
        result["rating"] = _share(dossiers.satisfied, dossiers.rated)
    if tasks is not None and tasks.submitted > 0:
        result["tasks_on_time"] = _share(tasks.on_time, tasks.submitted)
        result["tasks_accepted"] = _share(tasks.accepted, tasks.submitted)
    return result


def compute(dossiers: DossierStats | None, tasks: TaskStats | None, weights: Weights = Weights()) -> KpiResult:
    parts = components(dossiers, tasks, weights.volume_norm)
    total_weight = Decimal(0)
    total = Decimal(0)
    for name, share in parts.items():
        weight = Decimal(str(getattr(weights, name)))
        if weight < 0:
            raise ValueError("weights cannot be negative")
        if share is None or weight == 0:
            continue
        total_weight += weight
        total += weight * share
    if total_weight == 0:
        return KpiResult(None, parts)
    score = (total * 100 / total_weight).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return KpiResult(score, parts)
