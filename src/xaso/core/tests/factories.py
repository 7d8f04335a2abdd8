"""Factories for units and people, shared by every app's tests.

    unit = UnitFactory()                       # a department of a commune of a province
    commune = CommuneFactory()
    official = OfficialFactory(unit=unit, role=Role.RECEPTION, position=Position.RECEPTION_OFFICER)
    leader = OfficialFactory(unit=commune, role=Role.LEADER)
    citizen = CitizenFactory()                 # valid phone and personal ID
    business = BusinessFactory()               # valid tax code

``OfficialFactory`` creates one active membership (``unit`` defaults to a new department,
``role`` to specialist); pass ``unit=None, role=None`` to get an official without one.
Every account created by these factories has the password ``OFFICIAL_PASSWORD``
(officials) or an unusable one (citizens, businesses)."""
import factory
from factory.django import DjangoModelFactory

from xaso.core.identifiers import tax_check_digit
from xaso.core.models import Membership, Position, Role, Unit, User


class ProvinceFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    kind = Unit.Kind.PROVINCE
    code = factory.Sequence(lambda n: f"province-{n}")
    name = factory.Sequence(lambda n: f"Tỉnh Mẫu {n}")
    identifier = "000.00.00.H56"


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    parent = factory.SubFactory(ProvinceFactory)
    kind = Unit.Kind.COMMUNE
    code = factory.Sequence(lambda n: f"commune-{n}")
    name = factory.Sequence(lambda n: f"Xã Mẫu {n}")


class UnitFactory(DjangoModelFactory):
    """A department of a (new) commune; pass ``parent=`` to place it."""

    class Meta:
        model = Unit

    parent = factory.SubFactory(CommuneFactory)
    kind = Unit.Kind.DEPARTMENT
    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Phòng Mẫu {n}")


_UNSET = object()


OFFICIAL_PASSWORD = "Demo@Password2026"


class OfficialFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"official{n}")
    full_name = factory.Sequence(lambda n: f"Cán bộ {n}")
    kind = User.Kind.OFFICIAL

    @classmethod
    def _create(cls, model_class, *args, unit=_UNSET, role=Role.SPECIALIST, position=Position.SPECIALIST, password=None, **kwargs):
        user = model_class(*args, **kwargs)
        user.set_password(password or OFFICIAL_PASSWORD)
        user.save()
        if unit is _UNSET:
            unit = UnitFactory()
        if unit is not None and role is not None:
            Membership.objects.create(user=user, unit=unit, role=role, position=position)
        return user


def _national_id(n: int) -> str:
    # 038 Thanh Hóa, 0 = male born in the 1900s, 85 = 1985, then a serial.
    return f"038085{n % 1_000_000:06d}"


def _phone(n: int) -> str:
    return f"091{n % 10_000_000:07d}"


def _tax_code(n: int) -> str:
    serial = n
    while True:
        base = f"28{serial % 10_000_000:07d}"
        check = tax_check_digit(base)
        if check is not None and base[2:] != "0000000":
            return f"{base}{check}"
        serial += 1


class CitizenFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"citizen{n}")
    kind = User.Kind.CITIZEN
    full_name = factory.Sequence(lambda n: f"Công dân {n}")
    phone = factory.Sequence(lambda n: _phone(n + 1000))
    national_id = factory.Sequence(lambda n: _national_id(n + 1000))
    address = "Xã Ngọc Liên, tỉnh Thanh Hóa"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        user = model_class(*args, **kwargs)
        user.set_unusable_password()
        user.save()
        return user


class BusinessFactory(CitizenFactory):
    username = factory.Sequence(lambda n: f"business{n}")
    kind = User.Kind.BUSINESS
    national_id = None
    organisation_name = factory.Sequence(lambda n: f"Công ty Mẫu {n}")
    tax_code = factory.Sequence(lambda n: _tax_code(n + 1000))
    phone = factory.Sequence(lambda n: f"098{(n + 5000) % 10_000_000:07d}")
