"""Electronic receipts: numbering per series and year (up to 7 digits, from 1 each year, no
duplicate under concurrency), the Mẫu 06 content, the signed PDF."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from xaso.dossiers import services as dossier_services
from xaso.dossiers.models import PaymentMethod
from xaso.payments import receipts, services
from xaso.payments.models import MAX_RECEIPT_NUMBER, Receipt, ReceiptCounter, ReceiptSeries

from .conftest import at

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def pay(d, w, amount, when):
    return dossier_services.record_fee_payment(d, w.reception, amount=amount, method=PaymentMethod.CASH, reference=f"R{when:%Y%m%d%H%M%S}", now=when)


def test_numbers_restart_each_year_per_series(fee_dossier, world):
    d = fee_dossier(fee=100_000)
    a = Receipt.objects.get(fee_payment=pay(d, world, 10_000, datetime(2026, 12, 31, 16, 0, tzinfo=TZ)))
    b = Receipt.objects.get(fee_payment=pay(d, world, 10_000, datetime(2026, 12, 31, 23, 59, tzinfo=TZ)))
    c = Receipt.objects.get(fee_payment=pay(d, world, 10_000, datetime(2027, 1, 1, 0, 1, tzinfo=TZ)))
    assert [(r.year, r.number) for r in (a, b, c)] == [(2026, 1), (2026, 2), (2027, 1)]
    assert a.content["symbol"] == "BL-26E" and c.content["symbol"] == "BL-27E"
    assert c.number_text == "0000001" and c.reference == "BL-27E 0000001"


def test_the_collecting_body_is_the_commune_with_its_own_series(fee_dossier, world):
    d = fee_dossier()
    r = Receipt.objects.get(fee_payment=pay(d, world, 50_000, at(2026, 3, 2, 10)))
    assert r.series.unit == world.commune and r.content["collector"] == world.commune.name
    assert ReceiptSeries.objects.filter(unit=world.commune, active=True).count() == 1


def test_a_series_stops_at_seven_digits(fee_dossier, world):
    d = fee_dossier()
    series = services.series_for(world.commune)
    ReceiptCounter.objects.create(series=series, year=2026, last=MAX_RECEIPT_NUMBER)
    with pytest.raises(dossier_services.DossierError, match="7"):
        pay(d, world, 50_000, at(2026, 3, 2, 10))
    assert not Receipt.objects.exists() and not d.fee_payments.exists()


def test_the_receipt_pdf_has_the_form_content_and_a_signature(fee_dossier, world, settings, tmp_path):
    import subprocess

    settings.XASO_SIGNING_BACKEND = "sandbox"
    settings.VAR_DIR = tmp_path
    d = fee_dossier()
    r = Receipt.objects.get(fee_payment=pay(d, world, 50_000, at(2026, 3, 2, 10)))
    data = receipts.pdf_bytes(r)
    assert data.startswith(b"%PDF") and b"/ByteRange" in data and b"/Sig" in data
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for expected in ("BIÊN LAI THU PHÍ, LỆ PHÍ", "Ký hiệu mẫu biên lai", "BL-26E", "0000001", "Năm mươi nghìn đồng", "50.000", d.code, "Tiền mặt", world.commune.name.upper()):
        assert expected in text, expected
    # Stored: the second download is the same signed file, not a new rendering.
    r.refresh_from_db()
    assert r.pdf and receipts.pdf_bytes(r) == data


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_never_share_a_receipt_number(fee_dossier, world):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    from xaso.core.tests.parallel import run_parallel

    dossiers = [fee_dossier() for _ in range(8)]

    def one(i):
        return dossier_services.record_fee_payment(dossiers[i], world.reception, amount=50_000, method=PaymentMethod.CASH).pk

    results, errors = run_parallel(8, one)
    assert not errors, [e.tb for e in errors]
    numbers = sorted(Receipt.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 9))
