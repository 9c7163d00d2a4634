"""Hanoi demo incidents: a dozen 113/114 calls of the last two days, at every step of their handling.

Made through the real services (numbers, wards, timelines, alerts), then their times are moved back so
the console and the command overview show realistic ages and dispatch times. Loaded once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

from thanglong.core.models import OrganisationUnit, UnitKind
from thanglong.incidents import services
from thanglong.incidents.choices import Channel, IncidentKind, Line, Priority, Status
from thanglong.incidents.models import DispatchedUnit, Incident, IncidentEvent, TranscriptLine

Out = Callable[[str], None]

# (hours ago, line, kind, priority, caller, location, summary, final step, minutes to dispatch, to arrive)
DEMO_INCIDENTS: list[tuple[float, str, str, int, str, str, str, str, int, int]] = [
    (
        40,
        Line.FIRE_RESCUE,
        IncidentKind.FIRE,
        Priority.CRITICAL,
        "0912000111",
        "số 15 ngõ 84 Trần Quang Diệu, Ô Chợ Dừa, Đống Đa",
        "Cháy tầng 2 nhà ống, khói nhiều, còn người bên trong.",
        Status.CLOSED,
        2,
        9,
    ),
    (
        30,
        Line.POLICE,
        IncidentKind.CRIME,
        Priority.CRITICAL,
        "0983222333",
        "phố Hàng Bạc, Hoàn Kiếm",
        "Hai thanh niên đi xe máy giật túi xách của du khách rồi chạy về hướng Hàng Bồ.",
        Status.CLOSED,
        1,
        6,
    ),
    (
        26,
        Line.POLICE,
        IncidentKind.VIOLENCE,
        Priority.HIGH,
        "0904333444",
        "ngõ 12 Trần Thái Tông, Dịch Vọng, Cầu Giấy",
        "Nhóm người đánh nhau trước quán karaoke, có người bị thương nhẹ.",
        Status.CLOSED,
        4,
        11,
    ),
    (
        20,
        Line.POLICE,
        IncidentKind.TRAFFIC,
        Priority.HIGH,
        "0977444555",
        "ngã tư Xuân Thủy – Cầu Giấy",
        "Va chạm giữa ô tô và xe máy, một người ngã, giao thông ùn tắc.",
        Status.CLOSED,
        3,
        10,
    ),
    (
        12,
        Line.POLICE,
        IncidentKind.OTHER,
        Priority.NORMAL,
        "0966555666",
        "số 8 Duy Tân, Cầu Giấy",
        "Công trình đổ bê tông gây ồn sau 23 giờ, người gọi đề nghị kiểm tra.",
        Status.REFERRED,
        0,
        0,
    ),
    (
        9,
        Line.POLICE,
        IncidentKind.OTHER,
        Priority.HIGH,
        "0355666777",
        "phố Hàng Gai, Hoàn Kiếm",
        "Người gọi báo có bom ở khách sạn rồi tắt máy; kiểm tra không có.",
        Status.HOAX,
        3,
        12,
    ),
    (
        5,
        Line.FIRE_RESCUE,
        IncidentKind.RESCUE,
        Priority.CRITICAL,
        "0388777888",
        "chung cư 34T Hoàng Đạo Thúy, Yên Hòa, Cầu Giấy",
        "Hai người mắc kẹt trong thang máy giữa tầng 12 và 13.",
        Status.ON_SCENE,
        2,
        8,
    ),
    (
        2,
        Line.POLICE,
        IncidentKind.CRIME,
        Priority.CRITICAL,
        "0911888999",
        "số 3 Lý Thái Tổ, Hoàn Kiếm",
        "Đột nhập cửa hàng vàng bạc, kẻ gian còn trong cửa hàng.",
        Status.DISPATCHED,
        2,
        0,
    ),
    (
        0.5,
        Line.POLICE,
        IncidentKind.TRAFFIC,
        Priority.HIGH,
        "0868999000",
        "đường Phạm Hùng, Cầu Giấy",
        "Xe tải lật, hàng đổ ra đường, chưa rõ có người bị thương.",
        Status.RECEIVED,
        0,
        0,
    ),
]


def _station(location: str) -> list[OrganisationUnit | str]:
    place = services.locate(location)
    if place.unit is not None:
        return [place.unit]
    station = OrganisationUnit.objects.filter(kind=UnitKind.WARD_STATION, is_active=True).first()
    return [station] if station is not None else ["Tổ tuần tra 141"]


def load(out: Out) -> list[Incident]:
    if Incident.objects.exists():
        out("Sự vụ 113/114 mẫu: đã có dữ liệu, bỏ qua.")
        return []
    created: list[Incident] = []
    now = timezone.now()
    for (
        hours,
        line,
        kind,
        priority,
        caller,
        location,
        summary,
        final,
        to_dispatch,
        to_arrive,
    ) in DEMO_INCIDENTS:
        incident = services.open_incident(
            line=line,
            kind=kind,
            priority=priority,
            caller_number=caller,
            location_text=location,
            summary=summary,
            channel=Channel.PHONE,
            actor_name="trực ban 113",
        )
        TranscriptLine.objects.filter(incident=incident).delete()
        services.append_transcript(incident, summary)
        if final == Status.REFERRED:
            incident = services.hand_off_to_feedback(
                incident, actor=None, reason="Không khẩn cấp, chuyển phường xử lý"
            )
        elif final != Status.RECEIVED:
            team = "Tổ CSCĐ 141" if line == Line.POLICE else "Xe chữa cháy 01 – PC07"
            incident = services.dispatch(incident, units=[*_station(location), team], actor=None)
            if final in (Status.ON_SCENE, Status.CLOSED, Status.HOAX):
                incident = services.arrive(incident, actor=None)
            if final == Status.CLOSED:
                incident = services.close(incident, actor=None, reason="Đã xử lý xong tại hiện trường.")
            elif final == Status.HOAX:
                incident = services.close(
                    incident, actor=None, outcome=Status.HOAX, reason="Kiểm tra không có bom."
                )
        _backdate(incident, now - timedelta(hours=hours), to_dispatch, to_arrive)
        created.append(incident)
    out(f"Sự vụ 113/114 mẫu: {len(created)} sự vụ")
    return created


def _backdate(incident: Incident, received: datetime, to_dispatch: int, to_arrive: int) -> None:
    """Demo only: move the incident's times back to ``received`` keeping minutes between the steps."""
    steps = {"received": received, "dispatched": received + timedelta(minutes=to_dispatch)}
    steps["on_scene"] = steps["dispatched"] + timedelta(minutes=to_arrive)
    closing = steps["on_scene"] + timedelta(minutes=25)
    fields = {"received_at": received}
    if incident.dispatched_at:
        fields["dispatched_at"] = steps["dispatched"]
    if incident.on_scene_at:
        fields["on_scene_at"] = steps["on_scene"]
    if incident.closed_at:
        fields["closed_at"] = closing if incident.on_scene_at else steps["dispatched"] + timedelta(minutes=5)
    Incident.objects.filter(pk=incident.pk).update(**fields)
    for event in IncidentEvent.objects.filter(incident=incident):
        at = steps.get(event.kind, fields.get("closed_at", received))
        IncidentEvent.objects.filter(pk=event.pk).update(at=at)
    DispatchedUnit.objects.filter(incident=incident).update(
        dispatched_at=steps["dispatched"], arrived_at=steps["on_scene"] if incident.on_scene_at else None
    )
    TranscriptLine.objects.filter(incident=incident).update(at=received)
