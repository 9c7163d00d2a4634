"""City-scale demo data: ``thanglong demo --scale city`` adds up to a million citizens' reports (and
their timelines) over the last twelve months, so dashboards and reports can be measured at the size of
Hà Nội.

The reports are realistic in shape, not in words: 126 wards weighted like a city (busy central wards,
quiet rural communes), categories, channels (about 70 % online), hours of the day and days of the
week, deadlines in Vietnamese working days, and units of varying quality (some resolve nearly
everything on time, some lag), so rankings and trends have something to show.

Rows go straight into the feedback tables: PostgreSQL's COPY (about a minute for a million reports on
two cores), batched inserts elsewhere. This bypasses intake on purpose — it is a load generator for a
demo database, never run against real data. Run it on top of ``thanglong demo`` (units and officers
must exist); a second run only tops the table up to the requested size.
"""

from __future__ import annotations

import json
import math
import random
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from thanglong.core import calendar as working_calendar
from thanglong.core.models import Membership, OrganisationUnit, UnitKind, Ward
from thanglong.feedback.choices import Category, Channel, EventKind, Priority, Status, TriageState
from thanglong.feedback.models import Report, TrackingSequence
from thanglong.feedback.services.sla import working_days_for

Out = Callable[[str], None]
CITY_REPORTS = 1_000_000
BATCH = 5000

CATEGORY_WEIGHTS = {
    Category.TRAFFIC: 22,
    Category.PUBLIC_ORDER: 18,
    Category.ENVIRONMENT_NOISE: 16,
    Category.RESIDENCE_PROCEDURES: 12,
    Category.CYBER_FRAUD: 10,
    Category.OTHER: 10,
    Category.FIRE_SAFETY: 5,
    Category.DRUGS: 4,
    Category.OFFICER_CONDUCT: 3,
}
CHANNEL_WEIGHTS = {
    Channel.WEB: 35,
    Channel.PHONE: 22,
    Channel.ZALO: 20,
    Channel.ASSISTANT: 10,
    Channel.OFFICER: 8,
    Channel.API: 3,
    Channel.OPEN311: 2,
}
PRIORITY_WEIGHTS = {Priority.NORMAL: 75, Priority.HIGH: 12, Priority.LOW: 10, Priority.URGENT: 3}
# Reports per hour of the day (Vietnam time): mornings and early evenings are busiest.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 7, 10, 10, 9, 8, 6, 7, 8, 8, 8, 7, 7, 8, 8, 6, 4, 2]
# Share routed to a specialised department rather than the ward's station.
DEPARTMENT_SHARE = {Category.CYBER_FRAUD: 0.7, Category.DRUGS: 0.4, Category.FIRE_SAFETY: 0.5}
PHRASES = {
    Category.TRAFFIC: "Ô tô, xe máy đỗ lấn chiếm vỉa hè, lòng đường gây ùn tắc",
    Category.PUBLIC_ORDER: "Nhóm thanh niên tụ tập, gây mất trật tự",
    Category.ENVIRONMENT_NOISE: "Tiếng ồn kéo dài sau 22 giờ",
    Category.RESIDENCE_PROCEDURES: "Hỏi về thủ tục đăng ký thường trú, tạm trú",
    Category.CYBER_FRAUD: "Cuộc gọi giả danh cơ quan công an yêu cầu chuyển tiền",
    Category.OTHER: "Đề nghị cơ quan chức năng kiểm tra, xử lý",
    Category.FIRE_SAFETY: "Cơ sở kinh doanh không bảo đảm an toàn phòng cháy",
    Category.DRUGS: "Nghi có người sử dụng ma tuý tại nhà trọ",
    Category.OFFICER_CONDUCT: "Phản ánh thái độ tiếp công dân của cán bộ",
}
ONLINE = {Channel.WEB, Channel.ZALO, Channel.ASSISTANT, Channel.API, Channel.OPEN311}


@dataclass
class Place:
    ward: Ward
    station_id: int | None
    weight: float


class Generator:
    """Draws reports one at a time from the city's distributions (seeded: the same data every run)."""

    def __init__(self, now: datetime, days: int, seed: int = 2026) -> None:
        self.random = random.Random(seed)  # noqa: S311 — reproducible demo data, not secrets
        self.now = now
        self.days = days
        self.zone = timezone.get_default_timezone()
        province = settings.THANGLONG["CITY_PROVINCE_CODE"]
        stations = dict(
            OrganisationUnit.objects.filter(
                kind=UnitKind.WARD_STATION, ward__province_id=province
            ).values_list("ward_id", "pk")
        )
        wards = list(Ward.objects.filter(province_id=province).order_by("code"))
        if not wards:
            raise RuntimeError("no wards of the city: run `thanglong demo` first")
        self.places = []
        for ward in wards:
            urban = 2.2 if ward.kind.lower().startswith("phường") else 0.7
            self.places.append(
                Place(ward, stations.get(ward.code), urban * math.exp(self.random.gauss(0, 0.5)))
            )
        self.place_weights = [place.weight for place in self.places]
        self.departments: dict[str, list[int]] = {}
        for unit in OrganisationUnit.objects.filter(kind=UnitKind.DEPARTMENT):
            for category in unit.responsibilities or []:
                self.departments.setdefault(category, []).append(unit.pk)
        # One officer per unit answers on the timeline (the first response needs an officer).
        self.responders: dict[int, int] = {}
        for unit_id, user_id in Membership.objects.order_by("role").values_list("unit_id", "user_id"):
            self.responders.setdefault(unit_id, user_id)
        self.fallback_responder = next(iter(self.responders.values()), None)
        # Each unit is better or worse at meeting deadlines: the ranking has a spread to show.
        unit_ids = {*stations.values(), *(pk for pks in self.departments.values() for pk in pks)}
        self.quality = {pk: min(0.99, max(0.45, self.random.betavariate(6, 2))) for pk in unit_ids}
        self.categories, self.category_weights = zip(*CATEGORY_WEIGHTS.items(), strict=True)
        self.channels, self.channel_weights = zip(*CHANNEL_WEIGHTS.items(), strict=True)
        self.priorities, self.priority_weights = zip(*PRIORITY_WEIGHTS.items(), strict=True)
        # Busier lately (the service is growing), quieter at weekends.
        self.day_weights = []
        today = timezone.localdate(now)
        for offset in range(days):
            day = today - timedelta(days=days - 1 - offset)
            growth = 0.75 + 0.5 * offset / max(days - 1, 1)
            self.day_weights.append(growth * (0.7 if day.weekday() >= 5 else 1.0))
        self.first_day = today - timedelta(days=days - 1)
        self.deadlines: dict[tuple[date, bool, int], datetime] = {}

    def received_at(self) -> datetime:
        while True:
            day = self.first_day + timedelta(days=self.random.choices(range(self.days), self.day_weights)[0])
            hour = self.random.choices(range(24), HOUR_WEIGHTS)[0]
            moment = datetime(day.year, day.month, day.day, hour, tzinfo=self.zone) + timedelta(
                seconds=self.random.randrange(3600)
            )
            if moment < self.now:
                return moment

    def due_at(self, received: datetime, working_days: int) -> datetime:
        local = timezone.localtime(received, self.zone)
        key = (local.date(), local.hour >= 17, working_days)
        if key not in self.deadlines:
            self.deadlines[key] = working_calendar.deadline(received, working_days)
        return self.deadlines[key]

    def draw(self) -> dict[str, Any]:
        chance = self.random.random
        place = self.random.choices(self.places, self.place_weights)[0]
        category = self.random.choices(self.categories, self.category_weights)[0]
        channel = self.random.choices(self.channels, self.channel_weights)[0]
        priority = self.random.choices(self.priorities, self.priority_weights)[0]
        unit_id = place.station_id
        departments = self.departments.get(category)
        if departments and (unit_id is None or chance() < DEPARTMENT_SHARE.get(category, 0.15)):
            unit_id = self.random.choice(departments)
        received = self.received_at()
        sla_days = working_days_for(category, priority)
        due = self.due_at(received, sla_days)
        quality = self.quality.get(unit_id or 0, 0.7)
        sla_span = (due - received).total_seconds()
        # Resolution: a good unit finishes well inside the limit; a weak one often past it.
        resolve_after = timedelta(
            seconds=sla_span * self.random.lognormvariate(math.log(1.35 - quality), 0.45)
        )
        respond_after = timedelta(hours=self.random.lognormvariate(math.log(2 + 20 * (1 - quality)), 0.8))
        row: dict[str, Any] = {
            "channel": channel,
            "category": category,
            "category_hint": category if chance() < 0.6 else "",
            "priority": priority,
            "ward_id": place.ward.code,
            "province_id": place.ward.province_id,
            "unit_id": unit_id,
            "received_at": received,
            "due_at": due,
            "title": f"{PHRASES[category]} — {place.ward.full_name}"[:200],
            "address_text": f"{place.ward.full_name}, Hà Nội",
            "anonymous": chance() < 0.08,
            "consent": True,
            "lang": "vi" if chance() < 0.97 else "en",
            "triage_state": TriageState.DONE,
            "category_confidence": round(0.55 + 0.45 * chance(), 2),
        }
        row["text"] = f"{PHRASES[category]} tại {place.ward.full_name}. Đề nghị xử lý."
        row["masked_text"] = row["text"]
        row["responder"] = self.responders.get(unit_id or 0, self.fallback_responder)
        if chance() < 0.03:  # rejected (out of remit, abusive): no resolution
            row.update(status=Status.REJECTED, closed_at=min(self.now, received + respond_after))
            row["respond"] = received + respond_after
            return row
        resolved = received + resolve_after
        if resolved < self.now:
            closed = resolved + timedelta(days=self.random.uniform(1, 6))
            row.update(resolved_at=resolved, status=Status.CLOSED if closed < self.now else Status.RESOLVED)
            if closed < self.now:
                row["closed_at"] = closed
            if chance() < 0.42:
                late = resolved > due
                base = 3.2 if late else 4.4
                row["citizen_rating"] = max(1, min(5, round(self.random.gauss(base, 0.8))))
            row["respond"] = min(received + respond_after, resolved)
        else:
            age = self.now - received
            if age < timedelta(hours=2):
                row["status"] = Status.RECEIVED
            else:
                row["status"] = self.random.choices(
                    [Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING_CITIZEN, Status.TRANSFERRED],
                    [20, 65, 10, 5],
                )[0]
            if received + respond_after < self.now and row["status"] != Status.RECEIVED:
                row["respond"] = received + respond_after
        if row["status"] != Status.RECEIVED and unit_id is not None and chance() < 0.9:
            row["assigned_to_id"] = row["responder"]  # most cases past intake have an officer
        return row


def _column_defaults() -> dict[str, Any]:
    """Every column of the report table with what an unspecified field gets (robust to new fields)."""
    defaults: dict[str, Any] = {}
    for field in Report._meta.concrete_fields:
        if field.primary_key:
            continue
        value = field.get_default()  # "" for text fields, None for nullable ones
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        defaults[field.attname] = value
    return defaults


def _events(report_id: int, row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield {"report_id": report_id, "at": row["received_at"], "kind": EventKind.RECEIVED, "actor_id": None,
           "from_status": "", "to_status": Status.RECEIVED, "public": True,
           "data": json.dumps({"channel": row["channel"]})}  # fmt: skip
    responder = row.get("responder")
    if row.get("respond") is not None:
        to = Status.REJECTED if row["status"] == Status.REJECTED else Status.IN_PROGRESS
        yield {"report_id": report_id, "at": row["respond"], "kind": EventKind.STATUS, "actor_id": responder,
               "from_status": Status.RECEIVED, "to_status": to, "public": True, "data": "{}"}  # fmt: skip
    if row.get("resolved_at") is not None:
        yield {"report_id": report_id, "at": row["resolved_at"], "kind": EventKind.STATUS,
               "actor_id": responder, "from_status": Status.IN_PROGRESS, "to_status": Status.RESOLVED,
               "public": True, "data": "{}"}  # fmt: skip


def generate(total: int = CITY_REPORTS, *, out: Out = print, days: int = 365, progress: bool = True) -> int:
    """Top the report table up to ``total`` rows; returns how many were added."""
    from tqdm import tqdm

    existing = Report.objects.count()
    count = max(0, total - existing)
    if count == 0:
        out(f"  city scale: already {existing} reports, nothing to add")
        return 0
    now = timezone.now()
    generator = Generator(now, days)
    out(f"  city scale: drawing {count} reports over {days} days…")
    rows = [
        generator.draw() for _index in tqdm(range(count), disable=not progress, unit=" reports", desc="draw")
    ]
    rows.sort(key=lambda row: row["received_at"])
    defaults = _column_defaults()
    first_id = (Report.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    numbers = dict(TrackingSequence.objects.values_list("year", "last_number"))
    for offset, row in enumerate(rows):
        year = timezone.localtime(row["received_at"], generator.zone).year
        numbers[year] = numbers.get(year, 0) + 1
        row["id"] = first_id + offset
        row["tracking_code"] = f"PA-{year}-{numbers[year]:06d}"
        row["updated_at"] = row.get("closed_at") or row.get("resolved_at") or row["received_at"]
        row["tracking_secret"] = secrets.token_urlsafe(24)
    bar = tqdm(total=count, disable=not progress, unit=" reports", desc="write")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy(rows, defaults, bar)
        else:
            _insert(rows, defaults, bar)
        for year, last in numbers.items():
            TrackingSequence.objects.update_or_create(year=year, defaults={"last_number": last})
    bar.close()
    if connection.vendor == "postgresql":
        out("  city scale: committed; refreshing the planner's statistics (VACUUM ANALYZE)…")
        with connection.cursor() as cursor:
            for table in ("feedback_report", "feedback_reportevent"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                cursor.execute(f"SELECT setval({sequence}, MAX(id)) FROM {table}")  # noqa: S608
            # Fresh statistics and visibility map: the planner needs both for index-only counts.
            # (VACUUM cannot run inside a transaction: a caller's, such as a test's, gets ANALYZE.)
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            cursor.execute(f"{command} feedback_report")
            cursor.execute(f"{command} feedback_reportevent")
    from thanglong.command import rollup, snapshots

    rollup.refresh(full=True)
    snapshots.reconstruct(now - timedelta(days=1))  # the overview's "24 hours ago" from the first view
    out(f"  city scale: {count} reports added ({Report.objects.count()} in all), daily rollup rebuilt")
    from thanglong.cameras import scale as camera_scale  # plate reads: five per report (5M for a city)

    camera_scale.generate(total * 5, out=out, progress=progress)
    return count


def _report_values(row: dict[str, Any], columns: list[str], defaults: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[column] if column in row else defaults[column] for column in columns)


EVENT_COLUMNS = [
    "report_id",
    "at",
    "kind",
    "actor_id",
    "from_status",
    "to_status",
    "public",
    "message",
    "data",
]


def _copy(rows: list[dict[str, Any]], defaults: dict[str, Any], bar: Any) -> None:
    from tqdm import tqdm

    columns = ["id", *defaults]
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        with cursor.copy(f"COPY feedback_report ({quoted}) FROM STDIN") as copy:
            for index, row in enumerate(rows, start=1):
                copy.write_row(_report_values(row, columns, defaults))
                if index % BATCH == 0:
                    bar.update(BATCH)
        bar.update(len(rows) % BATCH)
        event_columns = ", ".join(EVENT_COLUMNS)
        timelines = tqdm(total=len(rows), disable=bar.disable, unit=" timelines", desc="timelines")
        with cursor.copy(f"COPY feedback_reportevent ({event_columns}) FROM STDIN") as copy:
            for index, row in enumerate(rows, start=1):
                for event in _events(row["id"], row):
                    copy.write_row(tuple(event.get(column, "") for column in EVENT_COLUMNS))
                if index % BATCH == 0:
                    timelines.update(BATCH)
        timelines.update(len(rows) % BATCH)
        timelines.close()


def _insert(rows: list[dict[str, Any]], defaults: dict[str, Any], bar: Any) -> None:
    """Batched multi-row inserts for databases without COPY (SQLite): explicit columns, so the drawn
    receipt times are kept (the ORM's ``auto_now_add`` would overwrite them)."""
    columns = ["id", *defaults]
    adapt = connection.ops.adapt_datetimefield_value

    def values(items: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(adapt(item) if isinstance(item, datetime) else item for item in items)

    report_sql = _insert_sql("feedback_report", columns)
    event_sql = _insert_sql("feedback_reportevent", EVENT_COLUMNS)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            cursor.executemany(report_sql, [values(_report_values(row, columns, defaults)) for row in chunk])
            events = [
                values(tuple(event.get(column, "") for column in EVENT_COLUMNS))
                for row in chunk
                for event in _events(row["id"], row)
            ]
            cursor.executemany(event_sql, events)
            bar.update(len(chunk))


def _insert_sql(table: str, columns: list[str]) -> str:
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608 — our own column names
