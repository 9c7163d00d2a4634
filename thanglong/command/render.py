"""A unit report as PDF (HTML + WeasyPrint) and as XLSX (openpyxl), in the official Vietnamese layout
(Decree 30/2020/NĐ-CP): issuing body and number at the left, the national motto at the right, the
place-and-date line, title, body, recipients and the signer's block."""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from thanglong.command import charts
from thanglong.command.report_data import ReportData

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"


def date_line(data: ReportData) -> str:
    day = data.issued_on
    return f"{data.place}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def title_line(data: ReportData) -> str:
    return f"Kết quả tiếp nhận, giải quyết phản ánh, kiến nghị {data.period.label.lower()}"


def context(data: ReportData) -> dict[str, Any]:
    ranked_rates = [(row.unit.name, row.on_time_rate) for row in data.rows[:25]]
    return {
        "data": data,
        "motto_1": MOTTO_1,
        "motto_2": MOTTO_2,
        "date_line": date_line(data),
        "title_line": title_line(data),
        "chart_series": charts.grouped_bars(
            data.series_labels,
            [("Tiếp nhận", data.series_received), ("Đã giải quyết", data.series_resolved)],
            title="Phản ánh tiếp nhận và đã giải quyết",
        ),
        "chart_on_time": charts.horizontal_bars(ranked_rates, title="Tỷ lệ giải quyết đúng hạn theo đơn vị")
        if len(data.rows) > 1
        else "",
    }


def pdf_bytes(data: ReportData) -> bytes:
    from weasyprint import HTML

    # The official report is Vietnamese whatever language the requester's browser uses.
    with translation.override("vi"):
        html = render_to_string("command/reports/unit_report_pdf.html", context(data))
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def xlsx_bytes(data: ReportData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    bold = Font(name="Times New Roman", bold=True, size=12)
    plain = Font(name="Times New Roman", size=12)
    italic = Font(name="Times New Roman", italic=True, size=12)
    thin = Side(style="thin", color="000000")
    boxed = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    book = Workbook()
    sheet = book.active
    sheet.title = "Báo cáo"
    columns = 10
    widths = [6, 40, 11, 11, 11, 12, 13, 13, 12, 10]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(64 + index)].width = width

    def put(row: int, first: int, last: int, value: Any, font: Font, align: Alignment = centre) -> None:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        cell = sheet.cell(row=row, column=first, value=value)
        cell.font, cell.alignment = font, align

    put(1, 1, 3, (data.parent_name or "").upper(), plain)
    put(1, 4, columns, MOTTO_1, bold)
    put(2, 1, 3, data.unit.name.upper(), bold)
    put(2, 4, columns, MOTTO_2, bold)
    put(3, 1, 3, f"Số: {data.number_label}", plain)
    put(3, 4, columns, date_line(data), italic)
    put(5, 1, columns, "BÁO CÁO", Font(name="Times New Roman", bold=True, size=14))
    put(6, 1, columns, title_line(data), bold)
    row = 8
    for line in data.summary():
        put(row, 1, columns, line, plain, Alignment(wrap_text=True, vertical="top"))
        sheet.row_dimensions[row].height = 32
        row += 1
    row += 1
    header = [
        "Hạng",
        "Đơn vị",
        "Tiếp nhận",
        "Đã giải quyết",
        "Đúng hạn",
        "Quá hạn chưa xử lý",
        "Tỷ lệ đúng hạn (%)",
        "Giải quyết, trung vị (ngày)",
        "Hài lòng (1–5)",
        "Điểm",
    ]
    for column, value in enumerate(header, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.font, cell.alignment, cell.border = bold, centre, boxed
    for item in data.rows:
        row += 1
        values: list[Any] = [
            item.rank or "—",
            item.unit.name,
            item.received,
            item.resolved,
            item.on_time,
            item.overdue_open,
            round(100 * item.on_time_rate, 1) if item.on_time_rate is not None else None,
            round(item.resolution_days, 1) if item.resolution_days is not None else None,
            round(item.rating, 2) if item.rating is not None else None,
            item.score,
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.font, cell.border = plain, boxed
    row += 1
    total = data.total
    totals: list[Any] = ["", "Tổng cộng", total.received, total.resolved, total.on_time, total.overdue_open]
    for column, value in enumerate(totals, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.font, cell.border = bold, boxed
    row += 2
    put(row, 1, 3, "Nơi nhận:", Font(name="Times New Roman", bold=True, italic=True, size=12))
    put(row, 6, columns, data.signer_title, bold)
    for recipient in data.recipients:
        row += 1
        put(row, 1, 3, f"- {recipient}", Font(name="Times New Roman", size=11), Alignment(horizontal="left"))
    put(row + 3, 6, columns, data.signer_name, bold)

    categories = book.create_sheet("Theo lĩnh vực")
    categories.append(["Lĩnh vực", "Tiếp nhận", "Đã giải quyết", "Đúng hạn", "Quá hạn chưa xử lý"])
    for category in data.categories:
        categories.append(
            [category.label, category.received, category.resolved, category.on_time, category.overdue_open]
        )
    categories.column_dimensions["A"].width = 36
    targets_sheet = book.create_sheet("Chỉ tiêu")
    targets_sheet.append(
        ["Mã", "Chỉ tiêu", "Đơn vị chủ trì", "Giá trị gốc", "Mục tiêu", "Đạt được", "Thời hạn", "Đánh giá"]
    )
    for status in data.targets:
        target = status.target
        targets_sheet.append(
            [
                target.code,
                target.title,
                target.owner_unit.name,
                float(target.baseline),
                float(target.target_value),
                float(status.latest.value) if status.latest else None,
                target.deadline,
                status.state_label,
            ]
        )
    targets_sheet.column_dimensions["B"].width = 60
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
