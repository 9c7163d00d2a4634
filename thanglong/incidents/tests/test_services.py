"""Incidents' rules: numbering, wards, the timeline, transcripts, channels, hand-off, personal data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from thanglong.core.models import AuditEntry
from thanglong.incidents import services
from thanglong.incidents.choices import Channel, EventKind, IncidentKind, Line, Priority, Status
from thanglong.incidents.keywords import detect_emergency
from thanglong.incidents.models import Incident, TranscriptLine
from thanglong.incidents.numbering import next_number
from thanglong.incidents.services import access

pytestmark = pytest.mark.django_db
CAU_GIAY = "số 12 ngõ 34 Trần Thái Tông, Dịch Vọng, Cầu Giấy"


def open_one(**overrides: Any) -> Incident:
    fields: dict[str, Any] = {
        "line": Line.POLICE,
        "kind": IncidentKind.CRIME,
        "priority": Priority.CRITICAL,
        "caller_number": "+84 912 345 678",
        "location_text": CAU_GIAY,
        "summary": "Cướp giật túi xách trước cổng trường.",
    }
    fields.update(overrides)
    return services.open_incident(**fields)


def test_numbers_are_per_line_and_year_without_gaps(hanoi_force: dict[str, Any]) -> None:
    year = timezone.localtime().year
    first, second = open_one(), open_one()
    fire = open_one(line=Line.FIRE_RESCUE, kind=IncidentKind.FIRE)
    assert [first.number, second.number, fire.number] == [
        f"113-{year}-000001",
        f"113-{year}-000002",
        f"114-{year}-000001",
    ]
    with pytest.raises(RuntimeError), transaction.atomic():
        open_one()
        raise RuntimeError("the call-taker's save failed after the number was taken")
    assert open_one().number == f"113-{year}-000003"  # the rolled-back number is given again


def test_the_year_is_vietnams() -> None:
    new_year_in_hanoi = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 on 1 January 2027 in Hanoi
    assert next_number("113", new_year_in_hanoi) == "113-2027-000001"


def test_location_is_placed_in_its_ward_and_ward_station(hanoi_force: dict[str, Any]) -> None:
    incident = open_one()
    assert incident.ward_id == "00166" and incident.unit == hanoi_force["cau_giay"]
    assert incident.caller_number == "0912345678"  # normalised
    unplaced = open_one(location_text="gần cây xăng", caller_number="113 test")
    assert unplaced.ward is None and unplaced.unit is None
    assert unplaced.caller_number == "113"  # kept as dialled: an emergency is never refused for it


@pytest.mark.parametrize(
    ("field", "value"),
    [("line", "115"), ("kind", "ufo"), ("priority", 9), ("priority", "x"), ("channel", "fax")],
)
def test_bad_values_are_refused_in_both_languages(field: str, value: Any) -> None:
    with pytest.raises(services.IncidentError) as caught:
        open_one(**{field: value})
    assert caught.value.field == field
    assert caught.value.message_vi and caught.value.message_en
    assert not Incident.objects.exists()


def test_a_new_incident_alerts_the_console_of_its_ward(
    hanoi_force: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from thanglong.core.models import ConsoleAlert

    with django_capture_on_commit_callbacks(execute=True):
        incident = open_one()
    alert = ConsoleAlert.objects.get(kind="incident")
    assert alert.severity == "critical" and incident.number in alert.title
    assert alert.url == f"/console/incidents/{incident.number}/"
    assert list(alert.units.all()) == [hanoi_force["cau_giay"]]


def test_timeline_from_call_to_close_with_times_and_actors(hanoi_force: dict[str, Any]) -> None:
    chihuy = hanoi_force["chihuy"]
    incident = open_one(actor=chihuy)
    incident = services.dispatch(incident, units=[hanoi_force["cau_giay"], "Tổ CSCĐ 141"], actor=chihuy)
    assert incident.status == Status.DISPATCHED and incident.dispatched_at is not None
    incident = services.arrive(incident, actor=hanoi_force["canbo.caugiay"], note="Đã đến, đối tượng bỏ chạy")
    incident = services.close(incident, actor=chihuy, reason="Đã lập biên bản.")
    assert incident.status == Status.CLOSED
    assert incident.dispatched_at is not None and incident.on_scene_at is not None
    assert incident.received_at <= incident.dispatched_at <= incident.on_scene_at
    assert incident.on_scene_at is not None and incident.closed_at is not None
    events = list(incident.events.values_list("kind", "actor__username"))
    assert events == [
        (EventKind.RECEIVED, "chihuy"),
        (EventKind.DISPATCHED, "chihuy"),
        (EventKind.ON_SCENE, "canbo.caugiay"),
        (EventKind.CLOSED, "chihuy"),
    ]
    assert incident.events.get(kind=EventKind.DISPATCHED).units == ["Công an phường Cầu Giấy", "Tổ CSCĐ 141"]
    assert all(unit.arrived_at == incident.on_scene_at for unit in incident.dispatches.all())
    audited = AuditEntry.objects.filter(object_type="incidents.incident", object_id=str(incident.pk))
    assert audited.count() == 4


def test_moves_out_of_order_and_endings_without_reason_are_refused(hanoi_force: dict[str, Any]) -> None:
    incident = open_one()
    with pytest.raises(services.IncidentError) as caught:
        services.arrive(incident, actor=hanoi_force["chihuy"])  # nobody was sent
    assert caught.value.status == 409
    with pytest.raises(services.IncidentError):
        services.dispatch(incident, units=["  "], actor=None)
    with pytest.raises(services.IncidentError):
        services.close(incident, actor=None, outcome=Status.HOAX)  # a hoax needs its reason
    hoax = services.close(
        incident, actor=None, outcome=Status.HOAX, reason="Gọi lại không liên lạc được, kiểm tra không có"
    )
    assert hoax.status == Status.HOAX
    with pytest.raises(services.IncidentError):
        services.close(hoax, actor=None)  # already ended
    assert incident.events.count() == 2


def test_transcript_partials_are_replaced_by_what_follows(hanoi_force: dict[str, Any]) -> None:
    incident = open_one(summary="")
    services.append_transcript(incident, "nhà tôi", partial=True)
    services.append_transcript(incident, "nhà tôi đang bị", partial=True)
    services.append_transcript(incident, "nhà tôi đang bị cháy", partial=False)
    services.append_transcript(incident, "ở ngõ 34", partial=True)
    assert services.append_transcript(incident, "   ") is None
    lines = list(TranscriptLine.objects.filter(incident=incident).values_list("text", "partial"))
    assert lines == [("nhà tôi đang bị cháy", False), ("ở ngõ 34", True)]


def test_the_callbot_opens_one_incident_per_call(hanoi_force: dict[str, Any]) -> None:
    incident = services.open_from_call(
        line="114", caller_number="0987654321", transcript="Cứu với, nhà tôi bốc cháy rồi", call_id="sip-42"
    )
    assert (incident.line, incident.kind, incident.priority, incident.channel) == (
        "114",
        IncidentKind.FIRE,
        Priority.CRITICAL,
        Channel.CALLBOT,
    )
    assert incident.events.get().actor_name == "callbot"
    again = services.open_from_call(
        line="114", caller_number="0987654321", transcript="ở số 5 Duy Tân", call_id="sip-42"
    )
    assert again.pk == incident.pk
    assert list(incident.transcript.values_list("text", flat=True)) == [
        "Cứu với, nhà tôi bốc cháy rồi",
        "ở số 5 Duy Tân",
    ]
    quiet = services.open_from_call(line="113", caller_number="", transcript="alo alo")
    assert quiet.kind == IncidentKind.OTHER and quiet.line == "113"


def test_emergency_words_in_other_channels_open_an_incident_once(hanoi_force: dict[str, Any]) -> None:
    assert (
        services.open_from_channel(channel="assistant", text="Cho tôi hỏi thủ tục cấp CCCD", reference="t-1")
        is None
    )
    incident = services.open_from_channel(
        channel="assistant",
        text="Có người cầm dao đang đánh người ở chợ",
        reference="t-2",
        location_text=CAU_GIAY,
    )
    assert incident is not None and incident.kind == IncidentKind.CRIME and incident.line == "113"
    assert incident.ward_id == "00166"
    same = services.open_from_channel(
        channel="assistant", text="Có người cầm dao đang đánh người", reference="t-2"
    )
    assert same is not None and same.pk == incident.pk
    other = services.open_from_channel(channel="telegram", text="dam chay lon o kho hang", reference="x")
    assert other is not None and other.channel == Channel.OTHER and other.line == "114"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nhà bên cạnh đang cháy, khói đen mù mịt", ("114", "fire")),
        ("nha ben canh dang boc chay", ("114", "fire")),
        ("Có người đuối nước ở hồ Tây", ("114", "rescue")),
        ("Tôi vừa bị cướp điện thoại", ("113", "crime")),
        ("Hai nhóm thanh niên đánh nhau ở cổng trường", ("113", "violence")),
        ("tai nan o nga tu", ("113", "traffic")),
        ("CỨU VỚI", ("113", "other")),
        ("Sáng nào tôi cũng chạy bộ quanh hồ", None),  # "chạy" (to run) is not "cháy" (fire)
        ("toi chay bo moi sang", None),
        ("Thủ tục đăng ký thường trú cần giấy tờ gì?", None),
        ("", None),
    ],
)
def test_emergency_keywords(text: str, expected: tuple[str, str] | None) -> None:
    assert detect_emergency(text) == expected


def test_not_an_emergency_becomes_a_feedback_report_linked_both_ways(hanoi_force: dict[str, Any]) -> None:
    incident = open_one(
        kind=IncidentKind.OTHER, priority=Priority.NORMAL, summary="Karaoke hát to sau 23 giờ mỗi đêm."
    )
    incident = services.hand_off_to_feedback(incident, actor=hanoi_force["chihuy"], reason="Không khẩn cấp")
    assert incident.status == Status.REFERRED and incident.report is not None
    report = incident.report
    assert incident.number in report.title and list(Incident.objects.filter(report=report)) == [incident]
    assert report.ward_id == "00166" and report.anonymous and report.contact_phone == ""  # no consent given
    assert report.tracking_code in incident.events.get(kind=EventKind.REFERRED).note
    with pytest.raises(services.IncidentError):
        services.hand_off_to_feedback(incident, actor=None, reason="again")


def test_caller_number_is_masked_for_officers_and_audited_for_call_takers(
    hanoi_force: dict[str, Any],
) -> None:
    incident = open_one()
    officer, call_taker = hanoi_force["canbo.caugiay"], hanoi_force["chihuy"]
    assert access.caller_number_for(officer, incident) == "091****678"
    assert not AuditEntry.objects.filter(action="read").exists()
    assert access.caller_number_for(call_taker, incident) == "0912345678"
    entry = AuditEntry.objects.get(action="read")
    assert (
        entry.actor == call_taker
        and entry.fields == ["caller_number"]
        and entry.object_repr == incident.number
    )


def test_who_sees_which_incident(hanoi_force: dict[str, Any]) -> None:
    in_cau_giay = open_one()
    unplaced = open_one(location_text="không rõ")
    assert set(access.visible_incidents(hanoi_force["chihuy"])) == {in_cau_giay, unplaced}
    assert set(access.visible_incidents(hanoi_force["canbo.caugiay"])) == {in_cau_giay}
    assert set(access.visible_incidents(hanoi_force["canbo.hoankiem"])) == set()
    assert access.can_handle(hanoi_force["canbo.caugiay"], in_cau_giay)
    assert not access.can_handle(hanoi_force["canbo.hoankiem"], in_cau_giay)
    assert not access.can_take_calls(hanoi_force["canbo.caugiay"]) and access.can_take_calls(
        hanoi_force["chihuy"]
    )


def test_camera_events_of_the_ward_around_the_call_are_linked(hanoi_force: dict[str, Any]) -> None:
    cameras = pytest.importorskip("thanglong.cameras.models")
    from thanglong.incidents.services.queries import camera_events_near

    incident = open_one()
    camera = cameras.Camera.objects.create(
        code="CG-01", name="Ngã tư Trần Thái Tông", ward_id="00166", owner_unit=hanoi_force["cau_giay"]
    )
    elsewhere = cameras.Camera.objects.create(
        code="HK-01", name="Hàng Bạc", ward_id="00070", owner_unit=hanoi_force["hoan_kiem"]
    )

    def event(on: Any, minutes: int) -> Any:
        return cameras.CameraEvent.objects.create(
            camera=on,
            ward_id=on.ward_id,
            kind="plate",
            plate_text="30A-123.45",
            observed_at=incident.received_at + timedelta(minutes=minutes),
        )

    near = [event(camera, -20), event(camera, 5)]
    event(camera, -45)  # too early
    event(elsewhere, 1)  # another ward
    assert camera_events_near(incident) == near


def test_reinforcements_sent_while_on_scene_keep_the_incident_on_scene(hanoi_force: dict[str, Any]) -> None:
    incident = services.dispatch(open_one(), units=["Tổ 141"], actor=None)
    incident = services.arrive(incident, actor=None)
    incident = services.dispatch(incident, units=["Xe cứu thương 115"], actor=None, note="Có người bị thương")
    assert incident.status == Status.ON_SCENE
    assert list(incident.dispatches.values_list("label", flat=True)) == ["Tổ 141", "Xe cứu thương 115"]
    assert list(incident.events.values_list("kind", flat=True)) == [
        "received",
        "dispatched",
        "on_scene",
        "dispatched",
    ]
