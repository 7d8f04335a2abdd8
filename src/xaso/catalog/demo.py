"""Demo data of the catalogue: the bundled reference file (idempotent)."""
from pathlib import Path

from . import defaults, services
from .importer import error_text, import_file
from .models import Procedure

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "procedures.csv"


def load(stdout) -> None:
    services.ensure_department_types()
    report = import_file(FIXTURE)
    if report.errors:
        raise RuntimeError("; ".join(error_text(e) for e in report.errors))
    for procedure in Procedure.objects.filter(code__in=defaults.FREQUENT_CODES):
        services.set_frequent(procedure, True)
    stdout.write(
        f"  procedures: {report.count('created')} created, {report.count('new_version')} new versions, "
        f"{report.count('unchanged')} unchanged"
    )
