"""Intake of citizens' reports from every channel: validate, store durably, acknowledge, queue triage.

A tracking code is handed out only after the report, its attachment rows and its first timeline event
are committed in one transaction (files are written and synced before it), so an acknowledged report
is never lost. A retried submission with the same idempotency key returns the first report.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import get_language

from thanglong.core import jobs, sqlinsert
from thanglong.core.address import normalise_address
from thanglong.core.models import Province, Ward
from thanglong.core.pii import mask_id_number, mask_phone
from thanglong.core.prepared import prepared_cursor
from thanglong.feedback import attachments
from thanglong.feedback.choices import Category, Channel, EventKind, Priority, Status
from thanglong.feedback.models import Attachment, Report, ReportEvent
from thanglong.feedback.services import tracking
from thanglong.feedback.services.notify import ZALO_USER_KEY
from thanglong.feedback.services.sla import due_at_for

logger = logging.getLogger(__name__)

TEXT_MIN = 10
TEXT_MAX = 5000
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:\-]{8,100}$")


@dataclass(frozen=True)
class FieldError:
    field: str
    message_vi: str
    message_en: str

    def message(self, language: str | None = None) -> str:
        return self.message_en if (language or get_language() or "vi").startswith("en") else self.message_vi


class IntakeError(Exception):
    """The submission was refused; every problem names its field in Vietnamese and English.

    ``status``: 422 for invalid input, 413 for files over the limits, 409 for an idempotency key
    reused with a different report.
    """

    def __init__(self, errors: list[FieldError], status: int = 422) -> None:
        super().__init__("; ".join(error.message_en for error in errors))
        self.errors = errors
        self.status = status

    @property
    def message_vi(self) -> str:
        return "; ".join(error.message_vi for error in self.errors)

    @property
    def message_en(self) -> str:
        return "; ".join(error.message_en for error in self.errors)

    def as_dict(self) -> dict[str, Any]:
        code = {413: "too_large", 409: "idempotency_conflict"}.get(self.status, "invalid_input")
        return {
            "error": code,
            "message_vi": "Dữ liệu gửi lên không hợp lệ. " + self.message_vi,
            "message_en": "The request is invalid. " + self.message_en,
            "fields": [
                {"field": error.field, "message_vi": error.message_vi, "message_en": error.message_en}
                for error in self.errors
            ],
        }


@dataclass
class CleanSubmission:
    text: str
    title: str = ""
    category_hint: str = ""
    address: str = ""
    ward_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    name: str = ""
    phone: str = ""
    email: str = ""
    anonymous: bool = False
    consent: bool = False
    consent_location: bool = False
    lang: str = "vi"
    errors: list[FieldError] = field(default_factory=list)


# --- small parsers ------------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")
_VIETNAM_MOBILE = re.compile(r"^0[35789]\d{8}$")
_VIETNAM_LANDLINE = re.compile(r"^02\d{9}$")
_FOREIGN = re.compile(r"^\+[1-9]\d{7,14}$")


def normalise_phone(raw: str) -> str | None:
    """``+84 912 345 678`` / ``84912345678`` / ``0912.345.678`` → ``0912345678``; ``None`` if invalid.

    Vietnamese numbers are kept in the national form (mobile 10 digits, landline 0 2x… 11 digits);
    a foreign number (a resident from abroad) is kept in the international form ``+<digits>``.
    """
    compact = _PHONE_SEPARATORS.sub("", raw or "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    elif compact.startswith("84") and len(compact) in (11, 12):
        compact = "0" + compact[2:]
    if compact.startswith("00"):  # "+840912…": the 0 written after the country code
        compact = compact[1:]
    if _VIETNAM_MOBILE.match(compact) or _VIETNAM_LANDLINE.match(compact):
        return compact
    if _FOREIGN.match(compact):
        return compact
    return None


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"1", "true", "yes", "on", "y", "có"}


def _clean_text(value: Any) -> str:
    text = unicodedata.normalize("NFC", str(value or ""))
    # Control characters other than line breaks and tabs are never part of a message. Most text has
    # none: str.isprintable() is False for every "C" category, so only then is it scanned by character.
    if not text.replace("\n", "").replace("\t", "").isprintable():
        text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()


def _coordinate(value: Any, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValueError from error
    if not number.is_finite() or abs(number) > limit:
        raise ValueError
    return number.quantize(Decimal("0.000001"))


_EMAIL = re.compile(r"\b([A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]*@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})\b")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)(?:\d{12}|\d{9})(?!\d)")


def mask_personal_data(text: str) -> str:
    """The citizen's text with e-mail addresses, phone numbers and ID numbers masked.

    What intake stores as ``masked_text`` until triage runs its fuller detector; the public views
    only ever show masked text.
    """
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    text = _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)
    return _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)


# --- validation ---------------------------------------------------------------------------------


def validate_submission(data: Mapping[str, Any]) -> CleanSubmission:
    """Check a submission from any channel; raise :class:`IntakeError` listing every problem."""
    errors: list[FieldError] = []

    def error(name: str, vi: str, en: str) -> None:
        errors.append(FieldError(name, vi, en))

    text = _clean_text(data.get("text"))
    if not text:
        error("text", "Nội dung phản ánh: bắt buộc.", "Report text: required.")
    elif len(text) < TEXT_MIN:
        error(
            "text",
            f"Nội dung phản ánh: cần ít nhất {TEXT_MIN} ký tự để cán bộ hiểu được sự việc.",
            f"Report text: at least {TEXT_MIN} characters are needed to understand what happened.",
        )
    elif len(text) > TEXT_MAX:
        error(
            "text",
            f"Nội dung phản ánh: tối đa {TEXT_MAX} ký tự (hiện có {len(text)}).",
            f"Report text: at most {TEXT_MAX} characters (this one has {len(text)}).",
        )
    clean = CleanSubmission(text=text)
    clean.title = _clean_text(data.get("title"))[:200]

    hint = str(data.get("category_hint") or "").strip()
    if hint and hint not in Category.values:
        error(
            "category_hint", "Lĩnh vực: không có trong danh sách.", "Category: not one of the listed values."
        )
    clean.category_hint = hint if hint in Category.values else ""

    clean.address = _clean_text(data.get("address"))
    if len(clean.address) > 500:
        error("address", "Địa chỉ: tối đa 500 ký tự.", "Address: at most 500 characters.")
    ward_code = str(data.get("ward_code") or "").strip()
    if ward_code and not _ward_exists(ward_code):
        error("ward_code", "Phường, xã: không tìm thấy.", "Ward or commune: not found.")
    clean.ward_code = ward_code

    try:
        clean.latitude = _coordinate(data.get("latitude"), 90)
    except ValueError:
        error("latitude", "Vĩ độ: phải là số từ -90 đến 90.", "Latitude: must be a number from -90 to 90.")
    try:
        clean.longitude = _coordinate(data.get("longitude"), 180)
    except ValueError:
        error(
            "longitude",
            "Kinh độ: phải là số từ -180 đến 180.",
            "Longitude: must be a number from -180 to 180.",
        )
    if (clean.latitude is None) != (clean.longitude is None) and not errors:
        error(
            "latitude",
            "Vị trí: cần cả vĩ độ và kinh độ.",
            "Location: both latitude and longitude are needed.",
        )

    clean.anonymous = as_bool(data.get("anonymous"))
    clean.consent = as_bool(data.get("consent"))
    clean.consent_location = as_bool(data.get("consent_location"))
    if not clean.anonymous:
        clean.name = _clean_text(data.get("name"))[:128]
        raw_phone = str(data.get("phone") or "").strip()
        raw_email = str(data.get("email") or "").strip()
        if raw_phone:
            phone = normalise_phone(raw_phone)
            if phone is None:
                error(
                    "phone",
                    "Số điện thoại: không hợp lệ (ví dụ 0912345678 hoặc +84912345678).",
                    "Phone number: not valid (for example 0912345678 or +84912345678).",
                )
            clean.phone = phone or ""
        if raw_email:
            try:
                validate_email(raw_email)
                clean.email = raw_email[:254]
            except ValidationError:
                error("email", "Thư điện tử: không hợp lệ.", "E-mail: not a valid address.")
        if not raw_phone and not raw_email:
            error(
                "phone",
                "Số điện thoại hoặc thư điện tử: cần ít nhất một để liên hệ lại (hoặc chọn gửi ẩn danh).",
                "Phone or e-mail: at least one is needed to reach you (or choose to send anonymously).",
            )
        if not clean.consent:
            error(
                "consent",
                "Đồng ý xử lý dữ liệu cá nhân: bắt buộc khi gửi kèm thông tin liên hệ.",
                "Consent to processing of personal data: required when contact details are given.",
            )

    lang = str(data.get("lang") or get_language() or "vi")[:2].lower()
    clean.lang = lang if lang in ("vi", "en") else "vi"
    if errors:
        raise IntakeError(errors)
    return clean


def _ward_exists(code: str) -> bool:
    return code in _known_wards() or Ward.objects.filter(pk=code).exists()


def _province_exists(code: str) -> bool:
    return code in _known_provinces() or Province.objects.filter(pk=code).exists()


# The reference tables change only on an import; a code added later is still found by the query.
@cache
def _known_wards() -> frozenset[str]:
    return frozenset(Ward.objects.values_list("code", flat=True))


@cache
def _known_provinces() -> frozenset[str]:
    return frozenset(Province.objects.values_list("code", flat=True))


@cache
def _province_full_name(code: str) -> str:
    return Province.objects.filter(pk=code).values_list("full_name", flat=True).first() or ""


def clean_idempotency_key(key: str | None) -> str | None:
    if key is None or not key.strip():
        return None
    key = key.strip()
    if not IDEMPOTENCY_KEY.match(key):
        raise IntakeError(
            [
                FieldError(
                    "Idempotency-Key",
                    "Khoá chống gửi trùng (Idempotency-Key): 8–100 ký tự chữ, số, dấu - _ . :",
                    "Idempotency-Key: 8–100 characters of letters, digits and - _ . :",
                )
            ]
        )
    return key


# --- the service ----------------------------------------------------------------------------------


def submit_report(
    data: Mapping[str, Any],
    files: Sequence[Any] = (),
    *,
    channel: str,
    idempotency_key: str | None = None,
    user: User | AnonymousUser | None = None,
    client_ip: str | None = None,
    zalo_user_id: str = "",
) -> tuple[Report, bool]:
    """Receive a report; return it and whether it was created now (``False``: an idempotent replay).

    Returns only after the commit: the caller may acknowledge the tracking code at once. Must not be
    called inside another transaction (``durable``), or "acknowledged" would not mean "stored".
    Raises :class:`IntakeError` for bad input or refused files. ``zalo_user_id`` (a Zalo OA follower
    who sent the report) is kept where the notifier looks, so status updates go back over Zalo.
    """
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    key = clean_idempotency_key(idempotency_key)
    stored_key = f"{channel}:{key}" if key else None
    clean = validate_submission(data)
    if stored_key:
        existing = _replay(stored_key, clean)
        if existing is not None:
            return existing, False

    try:
        prepared = attachments.prepare_files(files, keep_location=clean.consent_location)
    except attachments.AttachmentError as error:
        raise IntakeError(
            [FieldError(error.field, error.message_vi, error.message_en)],
            status=413 if error.too_large else 422,
        ) from error

    fields = _report_fields(clean, prepared)
    if zalo_user_id and channel == Channel.ZALO:
        fields["triage"] = {ZALO_USER_KEY: zalo_user_id[:64]}
    created_files: list[str] = []
    try:
        names = []
        # Files first and synced, outside the transaction: the tracking-number lock is then held only
        # for the report's insert and the commit (see _create).
        for item in prepared:
            name, created = attachments.store(item)
            names.append(name)
            if created:
                created_files.append(name)
        report = _create(fields, prepared, names, channel, stored_key, user, client_ip)
    except IntegrityError:
        attachments.remove_unreferenced(created_files)
        if stored_key:
            # A concurrent retry with the same key committed first: answer with its report.
            existing = _replay(stored_key, clean)
            if existing is not None:
                return existing, False
        raise
    except BaseException:
        attachments.remove_unreferenced(created_files)
        raise
    return report, True


_REPLAY_PROBE = (
    f"SELECT {Report._meta.pk.column} FROM {Report._meta.db_table} "  # noqa: S608 - model names only
    f"WHERE {Report._meta.get_field('idempotency_key').column} = %s"
)


def _replay(stored_key: str, clean: CleanSubmission) -> Report | None:
    # Nearly every key is new: probe with a bare indexed lookup (building the ORM's full-row SELECT
    # cost more CPU than the rest of the validation) and load the report only for a real replay.
    with prepared_cursor() as cursor:
        cursor.execute(_REPLAY_PROBE, [stored_key])
        row = cursor.fetchone()
    if row is None:
        return None
    existing = Report.objects.get(pk=row[0])
    if existing.text != clean.text or existing.contact_phone != clean.phone:
        # A key is a retry token, not a password: a different report under a used key is refused
        # rather than answered with the first report's tracking link.
        raise IntakeError(
            [
                FieldError(
                    "Idempotency-Key",
                    "Khoá chống gửi trùng (Idempotency-Key) đã được dùng cho một phản ánh khác.",
                    "This Idempotency-Key was already used for a different report.",
                )
            ],
            status=409,
        )
    return existing


def _report_fields(clean: CleanSubmission, prepared: list[attachments.PreparedFile]) -> dict[str, Any]:
    masked = mask_personal_data(clean.text)
    fields: dict[str, Any] = {
        "text": clean.text,
        "masked_text": masked,
        "title": clean.title or _title_from(masked),
        "category_hint": clean.category_hint,
        "lang": clean.lang,
        "address_text": clean.address,
        "latitude": clean.latitude,
        "longitude": clean.longitude,
        "contact_name": clean.name,
        "contact_phone": clean.phone,
        "contact_email": clean.email,
        "anonymous": clean.anonymous,
        "consent": clean.consent,
        "consent_location": clean.consent_location,
    }
    if clean.latitude is None and clean.consent_location:
        position = next((item.gps for item in prepared if item.gps is not None), None)
        if position is not None:
            fields["latitude"], fields["longitude"] = position
    fields.update(_place(clean))
    return fields


def _title_from(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return first_line if len(first_line) <= 120 else first_line[:119].rstrip() + "…"


def _place(clean: CleanSubmission) -> dict[str, Any]:
    """Ward, province and street from what the citizen wrote (old district names included)."""
    from django.conf import settings

    place: dict[str, Any] = {"street": "", "ward_id": None, "province_id": None}
    if clean.ward_code:
        ward = Ward.objects.only("code", "province_id").get(pk=clean.ward_code)
        place.update(ward_id=ward.code, province_id=ward.province_id)
    if not clean.address:
        return place
    result = normalise_address(clean.address)
    city = settings.THANGLONG.get("CITY_PROVINCE_CODE", "01")
    if result.ward is None and (result.province is None or result.province.code == city):
        # Citizens of the city seldom write its name: read the address as one in the city.
        city_name = _province_full_name(city)
        in_city = normalise_address(f"{clean.address}, {city_name}") if city_name else result
        if in_city.ward is not None:
            result = in_city
    place["street"] = (result.street or "")[:255]
    if place["ward_id"] is None and result.ward is not None and _ward_exists(result.ward.code or ""):
        place["ward_id"] = result.ward.code
    province = result.province
    if place["province_id"] is None and province is not None and _province_exists(province.code or ""):
        place["province_id"] = province.code
    return place


def _create(
    fields: dict[str, Any],
    prepared: list[attachments.PreparedFile],
    names: list[str],
    channel: str,
    stored_key: str | None,
    user: User | AnonymousUser | None,
    client_ip: str | None,
) -> Report:
    """Store the report, its attachment rows, its first event and its triage job in one transaction.

    On PostgreSQL the tracking number is reserved first, in a transaction of its own (see
    :func:`tracking.reserve_tracking_code`), and the rows then go in as one statement
    (:func:`_insert_in_one_statement`): no lock is held across the commit, so concurrent reports share
    disk flushes. On SQLite the IMMEDIATE transaction serialises writers from its first statement
    anyway, and the ORM inserts the rows in order, the number taken inside.
    """
    now = timezone.now()
    hint = fields["category_hint"] or Category.OTHER
    due_at = due_at_for(now, hint, Priority.NORMAL)
    submitted_by = user if user is not None and user.is_authenticated else None
    postgres = connection.vendor == "postgresql"
    code = tracking.reserve_tracking_code() if postgres else ""
    with transaction.atomic(durable=True):
        if postgres:
            report = _insert_in_one_statement(
                fields, prepared, names, channel, stored_key, submitted_by, client_ip, due_at, code
            )
        else:
            report = _insert_report(fields, channel, stored_key, submitted_by, client_ip, due_at, hint)
            _insert_dependents(report.pk, prepared, names, channel, submitted_by)
        received_due_at = due_at_for(report.received_at, hint, Priority.NORMAL)
        if received_due_at != due_at:  # 17:00 (or midnight) passed since the deadline was computed
            report.due_at = received_due_at
            Report.objects.filter(pk=report.pk).update(due_at=received_due_at)
    return report


def _insert_in_one_statement(
    fields: dict[str, Any],
    prepared: list[attachments.PreparedFile],
    names: list[str],
    channel: str,
    stored_key: str | None,
    submitted_by: User | None,
    client_ip: str | None,
    due_at: Any,
    tracking_code: str,
) -> Report:
    """PostgreSQL: report, attachment rows, first event and triage job in one round trip.

    Most of an intake's time went into the ORM building five INSERTs and waiting for five round
    trips; the rows and their values are the same (see :mod:`thanglong.core.sqlinsert`).
    """
    report = Report(
        tracking_code=tracking_code,
        channel=channel,
        idempotency_key=stored_key,
        submitted_by=submitted_by,
        client_ip=client_ip or None,
        due_at=due_at,
        **fields,
    )
    children = [
        sqlinsert.Child(_attachment_row(item, name), link="report_id")
        for item, name in zip(prepared, names, strict=True)
    ]
    children.append(sqlinsert.Child(_received_event(channel, submitted_by, len(prepared)), link="report_id"))
    task = _triage_task()
    job = jobs.database_job_row(task, 0) if task is not None else None
    if job is not None:
        # The job's argument is the report's id, known only inside the statement.
        wrap = {"args_kwargs": "jsonb_set({value}, '{{args,0}}', to_jsonb({parent_id}))"}
        children.append(sqlinsert.Child(job, link=None, wrap=wrap))
    sqlinsert.insert_with_children(connection, report, children)
    if job is not None:
        job.args_kwargs = {"args": [report.pk], "kwargs": {}}
        jobs.announce_enqueued(task, job)
    elif task is not None:
        jobs.enqueue_on_commit(task, report.pk)
    return report


def _attachment_row(item: attachments.PreparedFile, name: str, report_id: int | None = None) -> Attachment:
    row = Attachment(
        file=name,
        original_name=item.original_name,
        kind=item.kind,
        content_type=item.content_type,
        extension=item.extension,
        size=item.size,
        sha256=item.sha256,
        width=item.width,
        height=item.height,
    )
    if report_id is not None:  # else the one-statement insert links it
        row.report_id = report_id
    return row


def _received_event(
    channel: str, submitted_by: User | None, attachment_count: int, report_id: int | None = None
) -> ReportEvent:
    event = ReportEvent(
        kind=EventKind.RECEIVED,
        to_status=Status.RECEIVED,
        public=True,
        actor=submitted_by,
        data={"channel": channel, "attachments": attachment_count},
    )
    if report_id is not None:  # else the one-statement insert links it
        event.report_id = report_id
    return event


def _insert_report(
    fields: dict[str, Any],
    channel: str,
    stored_key: str | None,
    submitted_by: User | None,
    client_ip: str | None,
    due_at: Any,
    hint: str,
) -> Report:
    return Report.objects.create(
        tracking_code=tracking.next_tracking_code(),
        channel=channel,
        idempotency_key=stored_key,
        submitted_by=submitted_by,
        client_ip=client_ip or None,
        due_at=due_at,
        **fields,
    )


def _insert_dependents(
    report_id: int,
    prepared: list[attachments.PreparedFile],
    names: list[str],
    channel: str,
    submitted_by: User | None,
) -> None:
    """The report's attachment rows, its first timeline event and its triage job."""
    if prepared:
        Attachment.objects.bulk_create(
            _attachment_row(item, name, report_id) for item, name in zip(prepared, names, strict=True)
        )
    _received_event(channel, submitted_by, len(prepared), report_id).save()
    task = _triage_task()
    if task is not None:
        # With the database queue the job's row commits with the report (no second transaction, and
        # no report left untriaged by a process that dies right after the commit); RQ gets it after.
        jobs.enqueue_atomically(task, report_id)


def _triage_task() -> Any:
    """The triage job once that module ships; until then reports wait as ``pending`` for it."""
    try:
        from thanglong.feedback.triage.tasks import triage_report_task
    except ImportError as error:
        if error.name and error.name.startswith("thanglong.feedback.triage"):
            return None
        raise
    return triage_report_task
