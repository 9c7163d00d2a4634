"""Hanoi demo for Camera AI: forty cameras across central wards, a few thousand plate reads over the
past two weeks, a watch-list with stolen and wanted vehicles (one expired), and alerts raised through
the real ``record_event`` path. Loaded once (skipped when cameras exist).

The images are drawn here (a grey street scene with a plate-like label), not photos of real cars.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import cv2
import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from thanglong.cameras import scale
from thanglong.cameras.models import Camera, CameraEvent, CameraKind, CameraStatus, WatchReason, WatchVehicle
from thanglong.cameras.services import plates, record_event
from thanglong.cameras.services.images import bgr_to_jpeg
from thanglong.core.models import OrganisationUnit, Ward

Out = Callable[[str], None]

# (ward name, street, latitude, longitude): real intersections of central Hà Nội.
SITES = [
    ("Hoàn Kiếm", "Đinh Tiên Hoàng – Lê Thái Tổ", 21.0287, 105.8524),
    ("Hoàn Kiếm", "Tràng Tiền – Hàng Bài", 21.0245, 105.8542),
    ("Hoàn Kiếm", "Hàng Bạc – Đinh Liệt", 21.0340, 105.8522),
    ("Cửa Nam", "Lê Duẩn – Nguyễn Du", 21.0196, 105.8418),
    ("Cửa Nam", "Trần Hưng Đạo – Quán Sứ", 21.0225, 105.8460),
    ("Ba Đình", "Hùng Vương – Điện Biên Phủ", 21.0340, 105.8363),
    ("Ba Đình", "Phan Đình Phùng – Hoàng Diệu", 21.0402, 105.8385),
    ("Ngọc Hà", "Đội Cấn – Liễu Giai", 21.0369, 105.8175),
    ("Giảng Võ", "Giảng Võ – Cát Linh", 21.0275, 105.8265),
    ("Đống Đa", "Tôn Đức Thắng – Nguyễn Thái Học", 21.0253, 105.8345),
    ("Kim Liên", "Phạm Ngọc Thạch – Đào Duy Anh", 21.0080, 105.8345),
    ("Văn Miếu - Quốc Tử Giám", "Quốc Tử Giám – Văn Miếu", 21.0285, 105.8360),
    ("Láng", "Láng – Nguyễn Chí Thanh", 21.0190, 105.8070),
    ("Ô Chợ Dừa", "Xã Đàn – Tây Sơn", 21.0130, 105.8270),
    ("Cầu Giấy", "Xuân Thủy – Cầu Giấy", 21.0368, 105.7905),
    ("Cầu Giấy", "Trần Duy Hưng – Hoàng Minh Giám", 21.0085, 105.7990),
    ("Nghĩa Đô", "Hoàng Quốc Việt – Nguyễn Văn Huyên", 21.0465, 105.7985),
    ("Yên Hoà", "Trung Kính – Nguyễn Chánh", 21.0160, 105.7930),
    ("Hai Bà Trưng", "Bà Triệu – Nguyễn Du", 21.0180, 105.8495),
    ("Bạch Mai", "Giải Phóng – Đại Cồ Việt", 21.0050, 105.8410),
    ("Thanh Xuân", "Nguyễn Trãi – Khuất Duy Tiến", 20.9935, 105.8010),
    ("Hà Đông", "Quang Trung – Tô Hiệu", 20.9710, 105.7780),
    ("Tây Hồ", "Âu Cơ – Nghi Tàm", 21.0640, 105.8330),
    ("Long Biên", "Nguyễn Văn Cừ – Ngọc Lâm", 21.0450, 105.8720),
    ("Hoàng Mai", "Giải Phóng – Kim Đồng", 20.9820, 105.8410),
]
STOLEN = ["30A-123.45", "29B1-678.90", "30G-555.88"]
WANTED = ["30K-246.80"]
EXPIRED = "29A-111.22"


def _wards() -> dict[str, Ward]:
    province = settings.THANGLONG["CITY_PROVINCE_CODE"]
    return {ward.name: ward for ward in Ward.objects.filter(province_id=province)}


def _station(ward: Ward) -> OrganisationUnit | None:
    return OrganisationUnit.objects.filter(ward=ward).order_by("code").first()


def scene(text: str, *, seed: int) -> tuple[bytes, bytes]:
    """A drawn street scene with a white plate label: (snapshot JPEG, plate crop JPEG)."""
    rng = np.random.default_rng(seed)
    image = np.full((360, 640, 3), 90, dtype=np.uint8)
    image[200:] = 60
    image += rng.integers(0, 20, image.shape, dtype=np.uint8)
    cv2.rectangle(image, (180, 150), (460, 300), (40, 40, 130), -1)  # a car body
    cv2.rectangle(image, (250, 250), (390, 285), (245, 245, 245), -1)  # its plate
    cv2.putText(image, text, (256, 276), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (10, 10, 10), 2)
    return bgr_to_jpeg(image, 80), bgr_to_jpeg(image[250:285, 250:390], 90)


def load(write: Out) -> list[Any]:
    if Camera.objects.exists():
        write("  cameras: already loaded")
        return []
    wards = _wards()
    rng = random.Random(2026)  # noqa: S311 — reproducible demo data
    now = timezone.now()
    cameras: list[Camera] = []
    with transaction.atomic():
        for index, (ward_name, street, lat, lon) in enumerate(SITES + SITES[:15]):
            ward = wards.get(ward_name)
            if ward is None:
                continue
            unit = _station(ward) or OrganisationUnit.objects.order_by("path").first()
            if unit is None:
                write("  cameras: no units — skipped")
                return []
            second = index >= len(SITES)
            kind = (
                CameraKind.ANPR
                if index % 3 == 0
                else CameraKind.TRAFFIC
                if index % 3 == 1
                else CameraKind.SECURITY
            )
            status = CameraStatus.OFFLINE if index in (7, 19, 33) else CameraStatus.ONLINE
            cameras.append(
                Camera.objects.create(
                    code=f"HN-{index + 1:03d}",
                    name=f"{street}{' (hướng ngược)' if second else ''}",
                    ward=ward,
                    address=f"Ngã tư {street}, {ward.full_name}",
                    latitude=round(lat + (0.0004 if second else 0), 6),
                    longitude=round(lon + (0.0004 if second else 0), 6),
                    kind=kind,
                    stream_url=f"rtsp://viewer:demo-{index}@10.20.0.{index + 1}:554/Streaming/101",
                    owner_unit=unit,
                    group=f"worker-{index % 4 + 1}",
                    read_faces=kind == CameraKind.SECURITY,
                    status=status,
                    last_seen_at=now
                    - (timedelta(hours=3) if status == CameraStatus.OFFLINE else timedelta(seconds=20)),
                    last_error="RTSP: kết nối bị từ chối (connection refused)"
                    if status == CameraStatus.OFFLINE
                    else "",
                )
            )
        if not cameras:
            write("  cameras: the city's wards are missing — run import-divisions first")
            return []
        owner = OrganisationUnit.objects.filter(code="PC06").first() or cameras[0].owner_unit
        for text in STOLEN + WANTED:
            WatchVehicle.objects.create(
                plate_text=text,
                plate_folded=plates.fold(text),
                owner_unit=owner,
                reason=WatchReason.WANTED if text in WANTED else WatchReason.STOLEN,
                legal_basis="Quyết định truy tìm số 125/QĐ-CSHS ngày 02/11/2026",
                description="Xe ô tô con màu trắng" if text.startswith("30") else "Xe máy",
                expires_at=now + timedelta(days=180),
            )
        WatchVehicle.objects.create(
            plate_text=EXPIRED,
            plate_folded=plates.fold(EXPIRED),
            owner_unit=owner,
            reason=WatchReason.STOLEN,
            legal_basis="Quyết định số 77/QĐ-CSHS ngày 01/03/2026 (đã tìm thấy xe)",
            expires_at=now - timedelta(days=3),
        )
    added = scale.generate(3000, out=write, progress=False, days=14)
    # A few passes through the real path, with pictures: routes for the watched plates and alerts.
    online = [camera for camera in cameras if camera.status == CameraStatus.ONLINE]
    alerts = 0
    for number, text in enumerate([*STOLEN, *WANTED, EXPIRED, "30A-128.88", "30A-120.01"]):
        start = now - timedelta(hours=rng.randrange(2, 48))
        for step, camera in enumerate(rng.sample(online, 4)):
            snapshot, crop = scene(text, seed=number * 10 + step)
            event = record_event(
                camera=camera,
                kind="plate",
                observed_at=start + timedelta(minutes=7 * step),
                confidence=round(rng.uniform(0.8, 0.98), 3),
                plate_text=text,
                attributes={"colour": "white", "rows": 1, "box": [250, 250, 140, 35]},
                snapshot_jpeg=snapshot,
                crop_jpeg=crop,
                source="worker",
            )
            alerts += event.alerts.count()
    pictured = CameraEvent.objects.exclude(snapshot="").count()
    write(
        f"  cameras: {len(cameras)} cameras, {added + pictured} events, "
        f"{WatchVehicle.objects.count()} watched vehicles, {alerts} alerts"
    )
    return []
