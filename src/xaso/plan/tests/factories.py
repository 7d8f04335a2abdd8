"""Test data: a province, the commune of Ngọc Liên and its units, officials with roles."""
from xaso.core.models import Membership, Unit, User

from xaso.plan.demo import SEED  # noqa: E402,F401

UNITS = [
    ("vp", "Văn phòng HĐND và UBND xã", Unit.Kind.OFFICE),
    ("vhxh", "Phòng Văn hóa - Xã hội", Unit.Kind.DEPARTMENT),
    ("kt", "Phòng Kinh tế", Unit.Kind.DEPARTMENT),
    ("hcc", "Trung tâm Phục vụ hành chính công", Unit.Kind.CENTRE),
    ("dvc", "Trung tâm Cung ứng dịch vụ công", Unit.Kind.CENTRE),
    ("ca", "Công an xã", Unit.Kind.POLICE),
    ("yte", "Trạm Y tế xã Ngọc Liên", Unit.Kind.HEALTH),
    ("th", "Trường Tiểu học Ngọc Liên", Unit.Kind.SCHOOL),
]


def make_commune(code="ngoc-lien"):
    province, _ = Unit.objects.get_or_create(code="thanh-hoa", defaults={"name": "Tỉnh Thanh Hóa", "kind": Unit.Kind.PROVINCE})
    commune, _ = Unit.objects.get_or_create(code=code, defaults={"name": "Xã Ngọc Liên", "kind": Unit.Kind.COMMUNE, "parent": province})
    for order, (suffix, name, kind) in enumerate(UNITS):
        Unit.objects.get_or_create(code=f"{code}-{suffix}", defaults={"name": name, "kind": kind, "parent": commune, "sort_order": order})
    return commune


def unit(commune, suffix):
    return Unit.objects.get(code=f"{commune.code}-{suffix}")


def official(username, commune, suffix, role, position="specialist", phone=None, email=""):
    user = User.objects.create_user(username=username, password="Mat-khau-2026!", kind=User.Kind.OFFICIAL, full_name=username.title(), phone=phone, email=email)
    Membership.objects.create(user=user, unit=unit(commune, suffix) if suffix else commune, position=position, role=role)
    return user


def import_seed(commune):
    from xaso.plan import services

    return services.import_file(SEED.name, SEED.read_bytes(), commune)
