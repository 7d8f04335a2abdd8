import pytest

from xaso.dossiers import services
from xaso.dossiers.tests.conftest import World, applicant, at, components, result_pdf, world  # noqa: F401


@pytest.fixture
def closed(world, settings):
    """``make(level="returned"|"refused"|"stopped")``: a dossier of the citizen, closed."""
    settings.XASO_PUBLIC_BASE_URL = "http://testserver"
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []

    def make(how="returned", account=True):
        w = world
        d = services.intake(officer=w.reception, terms=w.terms, applicant=applicant(account=w.citizen if account else None), components=components(),
                            receiving_unit=w.centre, now=at(2026, 3, 2, 9))
        if how == "stopped":
            return services.stop(d, w.reception, reasons="Người nộp rút hồ sơ", now=at(2026, 3, 2, 10))
        d = services.transfer(d, w.reception, now=at(2026, 3, 2, 10))
        d = services.assign(d, w.head, specialist=w.specialist, now=at(2026, 3, 2, 11))
        d = services.submit_for_approval(d, w.specialist, now=at(2026, 3, 3, 9))
        if how == "refused":
            return services.refuse(d, w.leader, reasons="Không đủ điều kiện", legal_basis="Điều 15 Luật Hộ tịch 2014", now=at(2026, 3, 3, 10))
        d = services.approve(d, w.leader, now=at(2026, 3, 3, 10))
        d = services.result_ready(d, w.specialist, result_number="1/KS", result_file=result_pdf(), now=at(2026, 3, 3, 11))
        if how == "ready":
            return d
        return services.return_result(d, w.reception, now=at(2026, 3, 4, 9))

    return make
