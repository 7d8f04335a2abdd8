"""Measurement functions that read the one-stop-shop's dossiers (``xaso.dossiers``).

Registered in ``IndicatorsConfig.ready()`` (``register()``): the indicators app depends on
dossiers, never the other way round. Each function answers for one commune and one period
(dates, inclusive) with a :class:`~xaso.indicators.registry.Measurement` carrying the
numerator, the denominator and the query of the records behind the number; a zero
denominator means "no data" (never 0%). Formulas: docs/plan.md, "Measured targets".
"""


def register():
    from . import dossiers  # noqa: F401  (the decorators register the providers)
    from . import kpi, payments, ratings  # noqa: F401

    kpi.register()
