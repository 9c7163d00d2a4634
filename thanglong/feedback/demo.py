"""Hanoi demo reports: about forty realistic submissions through the real intake, spread over past weeks.

Loaded only when there is no report yet. Triage runs inline when its module is installed, so the
console shows categorised, routed reports; without it the reports wait as "pending".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from thanglong.feedback.choices import Category, Channel
from thanglong.feedback.models import Report, ReportEvent
from thanglong.feedback.services.intake import submit_report
from thanglong.feedback.services.sla import due_at_for

Out = Callable[[str], None]

# (days ago, channel, category hint, address, text, contact: name, phone, anonymous)
DEMO_REPORTS: list[tuple[int, str, str, str, str, str, str, bool]] = [
    (
        1,
        Channel.WEB,
        Category.ENVIRONMENT_NOISE,
        "ngõ 12 Trần Thái Tông, Dịch Vọng, Cầu Giấy",
        "Quán karaoke trong ngõ 12 Trần Thái Tông hát to đến 1-2 giờ sáng gần như đêm nào cũng vậy, "
        "trẻ nhỏ và người già không ngủ được. Đề nghị công an phường kiểm tra.",
        "Nguyễn Thị Lan",
        "0912345678",
        False,
    ),
    (
        3,
        Channel.PHONE,
        Category.ENVIRONMENT_NOISE,
        "số 8 Duy Tân, Cầu Giấy",
        "Công trình xây dựng ở số 8 Duy Tân đổ bê tông xuyên đêm, tiếng máy trộn rất ồn sau 22 giờ.",
        "Trần Văn Hùng",
        "0983123456",
        False,
    ),
    (
        2,
        Channel.WEB,
        Category.TRAFFIC,
        "phố Hàng Bạc, Hoàn Kiếm",
        "Ô tô và xe máy đỗ kín hai bên phố Hàng Bạc buổi tối, lấn hết vỉa hè, người đi bộ phải đi xuống "
        "lòng đường, xe cứu hoả không thể vào được nếu có sự cố.",
        "Phạm Minh Đức",
        "0904556677",
        False,
    ),
    (
        5,
        Channel.ZALO,
        Category.TRAFFIC,
        "ngõ 5 Hàng Bạc, Hoàn Kiếm",
        "Xe ô tô biển 30A đỗ chắn ngay cửa ngõ 5 Hàng Bạc từ 7 giờ sáng, cả ngõ không ra được xe.",
        "Lê Thu Hà",
        "0936789012",
        False,
    ),
    (
        4,
        Channel.WEB,
        Category.CYBER_FRAUD,
        "",
        "Tôi nhận cuộc gọi từ số 0868 xxx tự xưng là cán bộ công an quận, nói tôi liên quan đến đường dây "
        "rửa tiền và yêu cầu chuyển 50 triệu vào tài khoản để 'xác minh'. Tôi chưa chuyển tiền.",
        "Đỗ Quang Vinh",
        "0977001122",
        False,
    ),
    (
        6,
        Channel.PHONE,
        Category.CYBER_FRAUD,
        "",
        "Mẹ tôi bị gọi điện giả danh nhân viên điện lực, dọa cắt điện và bảo cài ứng dụng lạ, sau đó tài "
        "khoản ngân hàng bị trừ 18 triệu đồng.",
        "Vũ Hoàng Nam",
        "0915667788",
        False,
    ),
    (
        8,
        Channel.ZALO,
        Category.CYBER_FRAUD,
        "",
        "Có người lập trang Facebook giả mạo Công an phường để nhận 'hỗ trợ lấy lại tiền bị lừa', thu phí "
        "trước rồi chặn liên lạc.",
        "",
        "",
        True,
    ),
    (
        2,
        Channel.WEB,
        Category.FIRE_SAFETY,
        "ngõ 29 Khương Hạ, Thanh Xuân",
        "Chung cư mini 7 tầng ở ngõ 29 Khương Hạ chỉ có một cầu thang bộ, tầng 1 để hàng chục xe máy và "
        "sạc xe điện qua đêm, các tầng trên lắp chuồng cọp kín, không có lối thoát hiểm thứ hai.",
        "Ngô Thanh Tâm",
        "0945112233",
        False,
    ),
    (
        9,
        Channel.PHONE,
        Category.FIRE_SAFETY,
        "phố Phùng Hưng, Hoàn Kiếm",
        "Cửa hàng trên phố Phùng Hưng chứa nhiều bình gas trong nhà ở, có mùi gas vào buổi tối.",
        "Bùi Thị Hoa",
        "0962334455",
        False,
    ),
    (
        12,
        Channel.WEB,
        Category.RESIDENCE_PROCEDURES,
        "phường Láng, Đống Đa",
        "Tôi nộp hồ sơ đăng ký thường trú trực tuyến từ ngày 3, đã quá hạn 7 ngày làm việc nhưng trạng "
        "thái vẫn là 'đang xử lý', gọi điện lên phường không ai nghe máy.",
        "Hoàng Văn Long",
        "0988776655",
        False,
    ),
    (
        7,
        Channel.WEB,
        Category.RESIDENCE_PROCEDURES,
        "Hà Đông",
        "Hồ sơ đăng ký tạm trú của tôi bị trả lại vì thiếu hợp đồng thuê nhà, nhưng tôi đã tải lên đầy đủ. "
        "Đề nghị kiểm tra lại.",
        "Đặng Thị Mai",
        "0399887766",
        False,
    ),
    (
        10,
        Channel.WEB,
        Category.OFFICER_CONDUCT,
        "Bộ phận một cửa phường Ba Đình",
        "Cán bộ tiếp dân ở bộ phận một cửa có thái độ không đúng mực, nói trống không và yêu cầu tôi phải "
        "quay lại nhiều lần mà không hướng dẫn rõ cần bổ sung giấy tờ gì.",
        "Trịnh Quốc Bảo",
        "0913445566",
        False,
    ),
    (
        3,
        Channel.ZALO,
        Category.DRUGS,
        "gần trường THCS Nguyễn Trãi, Thanh Xuân",
        "Buổi tối thường có nhóm thanh niên tụ tập ở bãi đất trống cạnh trường, nghi sử dụng ma tuý, có "
        "vỏ ống hút và giấy bạc vứt lại gần cổng trường.",
        "",
        "",
        True,
    ),
    (
        1,
        Channel.WEB,
        Category.PUBLIC_ORDER,
        "chợ Long Biên, Ba Đình",
        "Có nhóm người chuyên móc túi ở khu chợ Long Biên lúc sáng sớm, nhiều tiểu thương đã bị mất tiền.",
        "Lý Văn Tài",
        "0931223344",
        False,
    ),
    (
        4,
        Channel.PHONE,
        Category.PUBLIC_ORDER,
        "ngõ 68 Cầu Giấy",
        "Hai nhóm thanh niên đánh nhau trong ngõ 68 Cầu Giấy tối qua, có người cầm gậy, dân rất lo.",
        "Phan Thị Ngọc",
        "0978123987",
        False,
    ),
    (
        15,
        Channel.WEB,
        Category.PUBLIC_ORDER,
        "phường Hoàng Mai",
        "Một số hộ tổ chức đánh bạc ăn tiền thường xuyên trong nhà tại tổ 12, đông người ra vào cả đêm.",
        "",
        "",
        True,
    ),
    (
        6,
        Channel.WEB,
        Category.ENVIRONMENT_NOISE,
        "Long Biên",
        "Xưởng gỗ trong khu dân cư xả khói bụi và tiếng cưa máy từ 5 giờ sáng.",
        "Kiều Văn Sơn",
        "0357654321",
        False,
    ),
    (
        11,
        Channel.PHONE,
        Category.TRAFFIC,
        "đường Nguyễn Xiển, Thanh Xuân",
        "Đêm nào cũng có nhóm đua xe máy trên đường Nguyễn Xiển từ 23 giờ, nẹt pô rất nguy hiểm.",
        "Tạ Minh Khoa",
        "0868111222",
        False,
    ),
    (
        13,
        Channel.WEB,
        Category.TRAFFIC,
        "ngã tư Sở, Đống Đa",
        "Đèn tín hiệu giao thông ở ngã tư Sở hướng Trường Chinh bị hỏng từ chiều, ùn tắc kéo dài.",
        "Mai Anh Tuấn",
        "0326789123",
        False,
    ),
    (
        14,
        Channel.WEB,
        Category.OTHER,
        "Tây Hồ",
        "Đề nghị lắp thêm camera an ninh ở đoạn đường ven hồ Tây phía Nhật Chiêu vì buổi tối rất vắng.",
        "Lò Thị Hạnh",
        "0947888999",
        False,
    ),
    (
        16,
        Channel.ZALO,
        Category.PUBLIC_ORDER,
        "Hai Bà Trưng",
        "Người bán hàng rong chèo kéo, ép giá khách du lịch ở khu vực chợ Hôm.",
        "Quan Văn Định",
        "0394567890",
        False,
    ),
    (
        18,
        Channel.WEB,
        Category.RESIDENCE_PROCEDURES,
        "Cầu Giấy",
        "Ứng dụng VNeID báo lỗi khi tôi khai báo lưu trú cho người thân, đã thử nhiều lần trong 2 ngày.",
        "Đinh Thu Trang",
        "0912987654",
        False,
    ),
    (
        20,
        Channel.PHONE,
        Category.FIRE_SAFETY,
        "Hoàng Mai",
        "Nhà trọ trong ngõ 180 Định Công có dây điện câu móc chằng chịt, từng chập cháy một lần.",
        "Chu Văn Phúc",
        "0389001234",
        False,
    ),
    (
        9,
        Channel.WEB,
        Category.ENVIRONMENT_NOISE,
        "Ba Đình",
        "Loa phát quảng cáo của cửa hàng điện thoại trên phố Kim Mã mở rất to cả ngày.",
        "",
        "",
        True,
    ),
    (
        17,
        Channel.WEB,
        Category.CYBER_FRAUD,
        "",
        "Tôi bị lừa mua vé máy bay giá rẻ qua trang mạng, đã chuyển khoản 7,5 triệu nhưng không nhận vé.",
        "Hồ Thị Yến",
        "0976543210",
        False,
    ),
    (
        21,
        Channel.WEB,
        Category.OFFICER_CONDUCT,
        "Đống Đa",
        "Cảm ơn cán bộ tổ công tác phường Kim Liên đã giúp tìm lại chiếc ví bị rơi, đề nghị biểu dương.",
        "Vương Đức Anh",
        "0903778899",
        False,
    ),
    (
        5,
        Channel.PHONE,
        Category.DRUGS,
        "Long Biên",
        "Một căn nhà thuê trong ngõ thường xuyên có người lạ ra vào lúc nửa đêm, có mùi lạ, nghi ma tuý.",
        "",
        "",
        True,
    ),
    (
        19,
        Channel.WEB,
        Category.TRAFFIC,
        "phố Huế, Hai Bà Trưng",
        "Vỉa hè phố Huế bị các cửa hàng lấn chiếm để bày hàng và trông giữ xe thu tiền.",
        "Lạc Văn Bình",
        "0961234000",
        False,
    ),
    (
        22,
        Channel.ZALO,
        Category.OTHER,
        "Hà Đông",
        "Đề nghị hướng dẫn thủ tục xác nhận thông tin cư trú để nộp hồ sơ nhập học cho con.",
        "Nghiêm Thị Thuỷ",
        "0355443322",
        False,
    ),
    (
        8,
        Channel.WEB,
        Category.PUBLIC_ORDER,
        "Cầu Giấy",
        "Xe máy của tôi bị trộm trước nhà ở ngõ 165 Xuân Thuỷ lúc 3 giờ sáng, camera hàng xóm có ghi lại.",
        "Khổng Minh Hiếu",
        "0984560123",
        False,
    ),
    (
        24,
        Channel.WEB,
        Category.ENVIRONMENT_NOISE,
        "Thanh Xuân",
        "Hàng xóm nuôi chó sủa suốt đêm và thả rông ra đường, đã góp ý nhiều lần nhưng không thay đổi.",
        "Âu Thị Lệ",
        "0909876543",
        False,
    ),
    (
        26,
        Channel.PHONE,
        Category.RESIDENCE_PROCEDURES,
        "Ba Đình",
        "Tôi cần xin xác nhận cư trú gấp nhưng lịch hẹn trên cổng dịch vụ công kín đến 2 tuần nữa.",
        "Cù Văn Hải",
        "0917000111",
        False,
    ),
    # English-speaking residents
    (
        2,
        Channel.WEB,
        Category.ENVIRONMENT_NOISE,
        "Tay Ho, Hanoi",
        "The bar next to our building on Xuan Dieu street plays very loud music until 3 am every weekend. "
        "We have small children and cannot sleep.",
        "Emma Wilson",
        "+44 7700 900123",
        False,
    ),
    (
        6,
        Channel.WEB,
        Category.CYBER_FRAUD,
        "",
        "Someone called me pretending to be from the immigration police and asked me to pay a fine for my "
        "visa by bank transfer. Is this real?",
        "Daniel Kim",
        "0901234777",
        False,
    ),
    (
        10,
        Channel.WEB,
        Category.TRAFFIC,
        "Hoan Kiem, Hanoi",
        "Motorbikes are parked across the whole pavement on Hang Bac street in the evening, so pedestrians "
        "and tourists have to walk in the road with the traffic.",
        "",
        "",
        True,
    ),
]

# Two more citizens report the Hàng Bạc parking problem: triage should link them to one incident.
DUPLICATES: list[tuple[int, str, str, str, str, str]] = [
    (
        2,
        Channel.PHONE,
        "phố Hàng Bạc, Hoàn Kiếm",
        "Tối nào phố Hàng Bạc cũng bị ô tô, xe máy đỗ kín vỉa hè hai bên, người đi bộ phải xuống lòng đường.",
        "Trương Văn Kiên",
        "0947001002",
    ),
    (
        1,
        Channel.ZALO,
        "Hàng Bạc, Hoàn Kiếm",
        "Vỉa hè phố Hàng Bạc buổi tối bị xe đỗ lấn hết, đi bộ rất nguy hiểm, mong công an xử lý.",
        "Giang Thị Nga",
        "0398002003",
    ),
]


def load(out: Out) -> list[Report]:
    if Report.objects.exists():
        out("Phản ánh mẫu: đã có dữ liệu, bỏ qua.")
        return []
    task = _triage_function()
    created: list[Report] = []
    rows = list(DEMO_REPORTS)
    rows += [
        (days, channel, Category.TRAFFIC, address, text, name, phone, False)
        for days, channel, address, text, name, phone in DUPLICATES
    ]
    # Oldest first, so tracking numbers follow the order the reports arrived in.
    for days, channel, hint, address, text, name, phone, anonymous in sorted(rows, key=lambda row: -row[0]):
        data: dict[str, Any] = {
            "text": text,
            "category_hint": hint if days % 3 else "",  # some citizens leave the category to us
            "address": address,
            "name": name,
            "phone": phone,
            "anonymous": anonymous,
            "consent": not anonymous,
            "lang": "en" if name in ("Emma Wilson", "Daniel Kim") or "Hanoi" in address else "vi",
        }
        report, _ = submit_report(data, channel=channel)
        _backdate(report, days)
        if task is not None:
            task(report.pk)
        created.append(report)
    out(
        f"Phản ánh mẫu: {len(created)} phản ánh"
        + ("" if task else " (chưa phân loại: chưa có module triage)")
    )
    return created


def _backdate(report: Report, days: int) -> None:
    """Demo only: spread the reports over past weeks so the console shows ages and overdue ones."""
    received = timezone.now() - timedelta(days=days, hours=(report.pk * 5) % 9)
    Report.objects.filter(pk=report.pk).update(
        received_at=received, due_at=due_at_for(received, report.category_hint or Category.OTHER)
    )
    ReportEvent.objects.filter(report=report).update(at=received)
    report.refresh_from_db()


def _triage_function() -> Callable[[int], Any] | None:
    try:
        from thanglong.feedback.triage.tasks import triage_report_task
    except ImportError:
        return None
    return triage_report_task.call
