"""`thanglong import-procedures [DIR]`: import the portal's procedure pages (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from thanglong.procedures import services


class Command(BaseCommand):
    help = (
        "Nhập các trang thủ tục của Cổng Dịch vụ công quốc gia (doc_congdan_<mã>.txt) vào danh mục "
        "thủ tục; chạy lại an toàn. Mặc định: DATA_DIR/procedures-dvc."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", help="thư mục chứa các trang thủ tục")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"] or Path(settings.DATA_DIR) / "procedures-dvc")
        if not directory.is_dir():
            raise CommandError(
                f"không tìm thấy thư mục {directory} — procedure pages directory not found "
                "(đặt THANGLONG_DATA_DIR hoặc truyền đường dẫn)"
            )
        files = services.portal_files(directory)
        if not files:
            raise CommandError(f"thư mục {directory} không có tệp doc_congdan_*.txt")
        bar = tqdm(total=len(files), desc="thủ tục", unit="trang", disable=options["verbosity"] == 0)

        def progress(done: int, total: int) -> None:
            bar.n = done
            bar.refresh()

        report = services.import_portal_pages(directory, progress=progress)
        bar.close()
        width = max((len(row.name) for row in report.rows), default=10)
        width = min(width, 60)
        self.stdout.write(f"{'mã':<9} {'tên thủ tục':<{width}} {'kết quả':<9} bước hồ sơ  phí  vb  rà soát")
        for row in report.rows:
            self.stdout.write(
                f"{row.code:<9} {row.name[:width]:<{width}} {row.action:<9} {row.steps:>4} "
                f"{row.documents:>4} {row.fees:>4} {row.citations:>3}  {'cần' if row.needs_review else '—'}"
                + (f"  ({row.message})" if row.message else "")
            )
        self.stdout.write(
            self.style.SUCCESS(", ".join(f"{key}: {value}" for key, value in report.summary.items()))
        )
