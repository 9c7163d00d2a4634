"""What each failure means for the officer who has to act on it, in Vietnamese and English."""

from __future__ import annotations

from thanglong.documents.models import Document, Failure, Status

FAILURE_MESSAGES: dict[str, tuple[str, str]] = {
    Failure.EMPTY: (
        "Tệp rỗng (0 byte). Hãy quét hoặc tải lên lại.",
        "The file is empty (0 bytes). Scan or upload it again.",
    ),
    Failure.UNSUPPORTED: (
        "Định dạng không hỗ trợ: chỉ nhận PDF, TIFF, JPEG, PNG.",
        "Unsupported format: only PDF, TIFF, JPEG and PNG are accepted.",
    ),
    Failure.CORRUPT: (
        "Tệp bị hỏng hoặc không đọc được. Hãy xuất lại từ máy quét.",
        "The file is damaged or unreadable. Export it again from the scanner.",
    ),
    Failure.ENCRYPTED: (
        "Tệp PDF có mật khẩu hoặc bị mã hoá. Hãy gỡ mật khẩu rồi tải lên lại.",
        "The PDF is password-protected or encrypted. Remove the password and upload it again.",
    ),
    Failure.TOO_MANY_PAGES: (
        "Tệp có quá nhiều trang. Hãy tách thành các tệp nhỏ hơn.",
        "The file has too many pages. Split it into smaller files.",
    ),
    Failure.TOO_LARGE_IMAGE: (
        "Ảnh quá lớn (có thể là tệp độc hại kiểu 'bom giải nén'). Hãy quét lại ở 300 dpi.",
        "The image is too large (possibly a decompression bomb). Scan it again at 300 dpi.",
    ),
    Failure.OCR_ERROR: (
        "Lỗi trong quá trình nhận dạng. Bản gốc vẫn được giữ nguyên; hãy thử xử lý lại.",
        "Recognition failed. The original is kept unchanged; try processing it again.",
    ),
    Failure.WORKER_LOST: (
        "Tiến trình xử lý bị gián đoạn nhiều lần. Hãy báo quản trị hệ thống.",
        "Processing was interrupted several times. Tell the system administrator.",
    ),
}


def status_message(document: Document) -> tuple[str, str]:
    if document.status == Status.FAILED:
        return FAILURE_MESSAGES.get(document.failure, FAILURE_MESSAGES[Failure.OCR_ERROR])
    if document.status == Status.DUPLICATE:
        first = document.duplicate_of_id
        return (
            f"Tệp trùng với văn bản #{first} đã có (cùng mã SHA-256); không nhận dạng lại.",
            f"Same file as document #{first} (same SHA-256); not processed again.",
        )
    if document.status == Status.DONE and document.needs_review:
        return (
            "Đã số hoá; có trang độ tin cậy thấp cần kiểm tra lại.",
            "Digitised; some pages have low confidence and need checking.",
        )
    labels = {
        Status.QUEUED: ("Đang chờ nhận dạng.", "Waiting for OCR."),
        Status.PROCESSING: ("Đang nhận dạng.", "OCR in progress."),
        Status.DONE: ("Đã số hoá.", "Digitised."),
    }
    return labels.get(Status(document.status), ("", ""))
