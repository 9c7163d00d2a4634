"""Hanoi demo data for the core app: the city police's units and their officers.

Every app may ship a ``demo.py`` with ``load(out)``; ``thanglong demo`` calls them in app order.
All loaders are idempotent: running the command twice leaves the same data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from thanglong.core import holidays
from thanglong.core.importers import import_divisions
from thanglong.core.models import Membership, OrganisationUnit, Profile, Province, Role, UnitKind, Ward
from thanglong.core.roles import ensure_role_groups
from thanglong.core.text import fold

User = get_user_model()
Out = Callable[[str], None]

CITY_CODE = "CAHN"

# Specialised departments of a city police force (codes as used in the Ministry's organisation).
DEPARTMENTS: list[tuple[str, str, str, list[str]]] = [
    ("PV01", "Phòng Tham mưu", "Staff Department", []),
    (
        "PC06",
        "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
        "Administrative Police Department",
        ["residence_procedures", "public_order"],
    ),
    ("PC08", "Phòng Cảnh sát giao thông", "Traffic Police Department", ["traffic"]),
    (
        "PA05",
        "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
        "Cyber Security and High-Tech Crime Department",
        ["cyber_fraud"],
    ),
    (
        "PC07",
        "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ",
        "Fire Prevention, Firefighting and Rescue Police Department",
        ["fire_safety"],
    ),
    ("PC02", "Phòng Cảnh sát hình sự", "Criminal Police Department", ["public_order"]),
    (
        "PC04",
        "Phòng Cảnh sát điều tra tội phạm về ma tuý",
        "Drug Crime Investigation Police Department",
        ["drugs"],
    ),
    (
        "PC03",
        "Phòng Cảnh sát điều tra tội phạm về kinh tế",
        "Economic Crime Investigation Police Department",
        [],
    ),
    (
        "PX01",
        "Phòng Công tác Đảng và công tác chính trị",
        "Party and Political Affairs Department",
        ["officer_conduct"],
    ),
    ("PH10", "Phòng Cảnh sát môi trường", "Environmental Police Department", ["environment_noise"]),
]

# Wards whose station gets named demo accounts printed on the console (others get generated ones).
FEATURED_WARDS = ["Cầu Giấy", "Hoàn Kiếm", "Ba Đình", "Đống Đa", "Hà Đông"]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    unit: str


def _unit(
    code: str, name: str, kind: str, parent: OrganisationUnit | None, province: Province, **extra: object
) -> OrganisationUnit:
    unit, _ = OrganisationUnit.objects.update_or_create(
        code=code,
        defaults={"name": name, "kind": kind, "parent": parent, "province": province, **extra},
    )
    return unit


def _user(
    username: str,
    full_name: str,
    password_hash: str,
    unit: OrganisationUnit,
    role: str,
    title: str,
    index: int,
) -> None:
    user, created = User.objects.get_or_create(username=username, defaults={"password": password_hash})
    if created or not user.has_usable_password():
        user.password = password_hash
        user.save(update_fields=["password"])
    # Demo personal data: clearly fake numbers in the right shape (Hà Nội prefix 001 for CCCD).
    Profile.objects.update_or_create(
        user=user,
        defaults={
            "full_name": full_name,
            "phone": f"0900{index:06d}",
            "id_number": f"001090{index:06d}",
            "rank": title,
        },
    )
    Membership.objects.get_or_create(user=user, unit=unit, role=role, defaults={"title": title})
    user.groups.add(Group.objects.get(name=role))
    if role == Role.ADMINISTRATOR and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
GIVEN = [
    "Văn An",
    "Thị Bình",
    "Minh Châu",
    "Quốc Dũng",
    "Thu Hà",
    "Đức Hải",
    "Thanh Hương",
    "Ngọc Lan",
    "Hoàng Long",
    "Thị Mai",
    "Văn Nam",
    "Thu Phương",
    "Minh Quân",
    "Văn Sơn",
    "Thị Thảo",
    "Đức Thắng",
]


def _name(index: int) -> str:
    return f"{SURNAMES[index % len(SURNAMES)]} {GIVEN[(index * 7) % len(GIVEN)]}"


@transaction.atomic
def load(out: Out) -> list[DemoLogin]:
    ensure_role_groups()
    counts = import_divisions()
    out(
        f"  administrative units: {counts['provinces']} provinces, {counts['wards']} wards/communes, "
        f"{counts['legacy_wards']} pre-2025 wards mapped"
    )
    added = holidays.seed_calendar()
    out(f"  working-day calendar: {added} holiday / make-up day rows")

    province_code = settings.THANGLONG["CITY_PROVINCE_CODE"]
    province = Province.objects.get(code=province_code)
    password_hash = make_password(settings.THANGLONG["DEMO_PASSWORD"])  # hashed once: hashing is slow
    logins: list[DemoLogin] = []

    city = _unit(
        CITY_CODE,
        f"Công an {province.full_name}",
        UnitKind.DIRECTORATE,
        None,
        province,
        name_en=f"{province.name_en or province.name} Police",
        short_name=CITY_CODE,
        phone="069.219.4000",
        address="87 Trần Hưng Đạo, phường Cửa Nam, Hà Nội",
    )
    command = _unit(
        "TTCH",
        "Trung tâm chỉ huy",
        UnitKind.COMMAND_CENTRE,
        city,
        province,
        name_en="Command Centre",
        short_name="TTCH",
    )
    index = 1
    _user("admin", "Quản trị hệ thống", password_hash, city, Role.ADMINISTRATOR, "Quản trị viên", index)
    logins.append(DemoLogin("admin", Role.ADMINISTRATOR, city.code))
    index += 1
    _user("chihuy", _name(index), password_hash, command, Role.COMMAND_CENTRE, "Trực ban chỉ huy", index)
    logins.append(DemoLogin("chihuy", Role.COMMAND_CENTRE, command.code))
    index += 1
    _user("giamdoc", _name(index), password_hash, city, Role.UNIT_LEADER, "Giám đốc", index)
    logins.append(DemoLogin("giamdoc", Role.UNIT_LEADER, city.code))

    for code, name, name_en, responsibilities in DEPARTMENTS:
        dept = _unit(
            code,
            name,
            UnitKind.DEPARTMENT,
            city,
            province,
            name_en=name_en,
            short_name=code,
            responsibilities=responsibilities,
        )
        lower = code.lower()
        for role, title, username in (
            (Role.UNIT_LEADER, "Trưởng phòng", f"lanhdao.{lower}"),
            (Role.OFFICER, "Cán bộ", f"canbo.{lower}"),
        ):
            index += 1
            _user(username, _name(index), password_hash, dept, role, title, index)
            if code in {"PC06", "PC08", "PA05"}:
                logins.append(DemoLogin(username, role, code))

    for ward in Ward.objects.filter(province=province).order_by("code"):
        station = _unit(
            f"CAP-{ward.code}",
            f"Công an {ward.full_name.lower().replace(ward.name.lower(), ward.name)}",
            UnitKind.WARD_STATION,
            city,
            province,
            ward=ward,
            name_en=f"{ward.name_en or ward.name} Police Station",
            short_name=f"CA {ward.name}",
        )
        slug = fold(ward.name).replace(" ", "")
        for role, title, prefix in (
            (Role.UNIT_LEADER, "Trưởng Công an", "lanhdao"),
            (Role.OFFICER, "Cán bộ", "canbo"),
        ):
            index += 1
            username = f"{prefix}.{slug}"
            _user(username, _name(index), password_hash, station, role, title, index)
            if ward.name in FEATURED_WARDS:
                logins.append(DemoLogin(username, role, station.code))
    out(f"  organisation: {OrganisationUnit.objects.count()} units, {User.objects.count()} users")
    return logins
