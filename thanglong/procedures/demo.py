"""Demo data of the procedure catalogue: the portal pages, plus a few entries written by us.

The entries written here are marked ``source=authored`` and ``needs_review``: they carry only facts
we are sure of (the laws' numbers), steps in general terms, and no fee or deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from thanglong.procedures import services
from thanglong.procedures.models import Level
from thanglong.procedures.services import AuthoredCitation, AuthoredProcedure

Out = Callable[[str], None]

_ONLINE_OR_IN_PERSON: list[dict[str, object]] = [
    {
        "kind": "online",
        "description": "Nộp hồ sơ trực tuyến qua Cổng Dịch vụ công quốc gia, Cổng dịch vụ công Bộ Công an "
        "hoặc ứng dụng VNeID (nếu thủ tục đã được cung cấp trực tuyến).",
        "time_limit": "",
        "reception_hours": "",
        "fees": [],
    },
    {
        "kind": "in_person",
        "description": "Nộp hồ sơ trực tiếp tại cơ quan có thẩm quyền.",
        "time_limit": "",
        "reception_hours": "",
        "fees": [],
    },
]

AUTHORED: list[AuthoredProcedure] = [
    AuthoredProcedure(
        code="TL.0001",
        name="Đăng ký xe (cấp chứng nhận đăng ký, biển số xe lần đầu)",
        name_en="Vehicle registration (first registration certificate and number plate)",
        area="Đăng ký, quản lý phương tiện",
        level="",  # split between commune police and the traffic police by vehicle type: to review
        agency="Cơ quan đăng ký xe thuộc Công an (theo phân cấp tại Thông tư 79/2024/TT-BCA)",
        requesters="Chủ xe (cá nhân, tổ chức)",
        steps=[
            "Chủ xe kê khai giấy khai đăng ký xe trên Cổng Dịch vụ công hoặc ứng dụng VNeID.",
            "Chủ xe đưa xe đến cơ quan đăng ký xe để kiểm tra và nộp hồ sơ theo hướng dẫn.",
            "Nộp lệ phí đăng ký xe theo quy định.",
            "Nhận biển số và chứng nhận đăng ký xe theo giấy hẹn hoặc qua dịch vụ bưu chính.",
        ],
        channels=_ONLINE_OR_IN_PERSON,
        citations=[
            AuthoredCitation(
                doc_type="Thông tư",
                number="79/2024/TT-BCA",
                issuer="Bộ Công an",
                title="Quy định cấp, thu hồi chứng nhận đăng ký, biển số xe cơ giới, xe máy chuyên dùng",
            ),
            AuthoredCitation(
                doc_type="Luật",
                number="36/2024/QH15",
                issuer="Quốc hội",
                title="Luật Trật tự, an toàn giao thông đường bộ",
            ),
        ],
        review_notes=["Chưa có thành phần hồ sơ, mức lệ phí và thời hạn giải quyết: cần bổ sung từ văn bản."],
    ),
    AuthoredProcedure(
        code="TL.0002",
        name="Khai báo tạm trú cho người nước ngoài",
        name_en="Temporary residence declaration for foreigners",
        area="Xuất nhập cảnh",
        level=Level.COMMUNE,
        agency="Công an cấp xã nơi có cơ sở lưu trú",
        requesters="Người trực tiếp quản lý, điều hành cơ sở lưu trú nơi người nước ngoài tạm trú",
        steps=[
            "Cơ sở lưu trú đề nghị người nước ngoài xuất trình hộ chiếu hoặc giấy tờ có giá trị thay "
            "hộ chiếu và thị thực hoặc giấy tờ chứng minh được miễn thị thực.",
            "Cơ sở lưu trú khai báo tạm trú qua trang thông tin điện tử khai báo tạm trú cho người nước "
            "ngoài, hoặc bằng phiếu khai báo tạm trú nộp tại Công an cấp xã.",
        ],
        channels=_ONLINE_OR_IN_PERSON,
        requirements=(
            "Cơ sở lưu trú khai báo trong thời hạn 12 giờ, địa bàn vùng sâu, vùng xa trong thời hạn 24 giờ "
            "kể từ khi người nước ngoài đến đăng ký tạm trú."
        ),
        citations=[
            AuthoredCitation(
                doc_type="Luật",
                number="47/2014/QH13",
                issuer="Quốc hội",
                title="Luật Nhập cảnh, xuất cảnh, quá cảnh, cư trú của người nước ngoài tại Việt Nam",
            ),
            AuthoredCitation(
                doc_type="Luật",
                number="51/2019/QH14",
                issuer="Quốc hội",
                title="Luật sửa đổi, bổ sung một số điều của Luật Nhập cảnh, xuất cảnh, quá cảnh, cư trú "
                "của người nước ngoài tại Việt Nam",
            ),
            AuthoredCitation(
                doc_type="Luật",
                number="23/2023/QH15",
                issuer="Quốc hội",
                title="Luật sửa đổi, bổ sung một số điều của Luật Xuất cảnh, nhập cảnh của công dân Việt "
                "Nam và Luật Nhập cảnh, xuất cảnh, quá cảnh, cư trú của người nước ngoài tại Việt Nam",
            ),
        ],
        review_notes=["Cần ghi rõ điều, khoản quy định khai báo tạm trú và mẫu phiếu khai báo."],
    ),
    AuthoredProcedure(
        code="TL.0003",
        name="Thẩm định thiết kế về phòng cháy và chữa cháy",
        name_en="Fire-safety design appraisal",
        area="Phòng cháy, chữa cháy và cứu nạn, cứu hộ",
        level="",
        agency="Cơ quan Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ có thẩm quyền",
        requesters="Chủ đầu tư công trình, phương tiện thuộc diện phải thẩm định thiết kế",
        steps=[
            "Chủ đầu tư chuẩn bị hồ sơ đề nghị thẩm định thiết kế về phòng cháy và chữa cháy.",
            "Nộp hồ sơ cho cơ quan Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ có thẩm quyền.",
            "Cơ quan tiếp nhận kiểm tra hồ sơ, thẩm định và trả kết quả cho chủ đầu tư.",
        ],
        channels=_ONLINE_OR_IN_PERSON,
        citations=[
            AuthoredCitation(
                doc_type="Luật",
                number="55/2024/QH15",
                issuer="Quốc hội",
                title="Luật Phòng cháy, chữa cháy và cứu nạn, cứu hộ",
            ),
        ],
        review_notes=["Chưa có nghị định hướng dẫn, thành phần hồ sơ, phí thẩm định và thời hạn giải quyết."],
    ),
    AuthoredProcedure(
        code="TL.0004",
        name="Cấp Giấy chứng nhận đủ điều kiện về an ninh, trật tự để kinh doanh ngành, nghề có điều kiện",
        name_en="Certificate of eligibility on security and order for a conditional business",
        area="Quản lý ngành, nghề kinh doanh có điều kiện",
        level="",
        agency="Cơ quan Công an có thẩm quyền theo phân cấp",
        requesters="Cơ sở kinh doanh ngành, nghề đầu tư kinh doanh có điều kiện về an ninh, trật tự",
        steps=[
            "Cơ sở kinh doanh chuẩn bị hồ sơ đề nghị cấp Giấy chứng nhận đủ điều kiện về an ninh, trật tự.",
            "Nộp hồ sơ cho cơ quan Công an có thẩm quyền, trực tiếp hoặc trực tuyến.",
            "Cơ quan Công an kiểm tra hồ sơ, điều kiện thực tế và trả kết quả.",
        ],
        channels=_ONLINE_OR_IN_PERSON,
        citations=[
            AuthoredCitation(
                doc_type="Nghị định",
                number="96/2016/NĐ-CP",
                issuer="Chính phủ",
                title="Quy định điều kiện về an ninh, trật tự đối với một số ngành, nghề đầu tư kinh doanh "
                "có điều kiện",
            ),
        ],
        review_notes=[
            "Cần kiểm tra văn bản sửa đổi, thay thế Nghị định 96/2016/NĐ-CP còn hiệu lực hay không."
        ],
    ),
]


def load(out: Out) -> list[object]:
    directory = Path(settings.DATA_DIR) / "procedures-dvc"
    if directory.is_dir():
        report = services.import_portal_pages(directory)
        out(
            "  portal procedures: "
            + ", ".join(f"{key} {value}" for key, value in report.summary.items() if value)
        )
    else:
        out(f"  portal procedures: skipped ({directory} not found)")
    created = sum(1 for entry in AUTHORED if services.save_authored_procedure(entry)[1])
    out(f"  authored procedures (need review): {len(AUTHORED)} ({created} new)")
    return []
