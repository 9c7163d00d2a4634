"""What the callbot says, in both languages of the call.

Each prompt is a gettext msgid in Vietnamese. A call's language is the caller's (Vietnamese unless
they speak English or press *), not the request's or the server's, so :func:`say` looks the prompt up
under ``translation.override(<the call's language>)``. The English wording stays beside the msgid: it
is what the translation starts from, and what an English call hears while the English catalogue has
no entry for a prompt yet (a caller must never hear a language they did not choose).
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_noop

# key → (Vietnamese msgid, English wording)
PROMPTS: dict[str, tuple[str, str]] = {
    "notice": (
        gettext_noop("Cuộc gọi này được ghi âm để phục vụ người dân tốt hơn."),
        "This call is recorded so that we can serve you better.",
    ),
    "greeting": (
        gettext_noop(
            "Xin chào, đây là tổng đài tự động của Công an thành phố Hà Nội. Bạn cần hỏi thủ tục gì, hoặc "
            "muốn phản ánh việc gì? Hãy nói sau tiếng bíp. Gặp cán bộ, bấm phím 0. For English, press "
            "star."
        ),
        "Hello, this is the automated line of the Hanoi city police. What procedure would you like to ask "
        "about, or what would you like to report? Please speak after the tone. For an officer, press 0.",
    ),
    "menu": (
        gettext_noop(
            "Mời bạn dùng bàn phím. Hỏi thủ tục hành chính, bấm phím 1. Phản ánh, kiến nghị, bấm phím 2. "
            "Tra cứu hồ sơ phản ánh, bấm phím 3. Gặp cán bộ, bấm phím 0."
        ),
        "Please use your keypad. For procedures, press 1. To report a problem, press 2. To check a report, "
        "press 3. For an officer, press 0.",
    ),
    "ask_procedure": (
        gettext_noop("Mời bạn nói tên thủ tục cần hỏi."),
        "Please say which procedure you are asking about.",
    ),
    "reprompt": (
        gettext_noop("Tôi chưa nghe thấy bạn nói. Bạn cần hỏi gì, xin mời nói."),
        "I did not hear you. What would you like to ask? Please speak now.",
    ),
    "rephrase": (
        gettext_noop(
            "Xin lỗi, tôi chưa hiểu rõ. Bạn vui lòng nói lại ngắn gọn hơn, ví dụ: làm căn cước cần giấy tờ "
            "gì."
        ),
        "Sorry, I did not understand. Please say it again in a few words, for example: what do I need for "
        "an ID card.",
    ),
    "out_of_scope": (
        gettext_noop(
            "Xin lỗi, tôi chỉ trả lời về thủ tục hành chính và phản ánh với công an. Bạn vui lòng hỏi lại."
        ),
        "Sorry, I can only help with administrative procedures and reports to the police. Please ask again.",
    ),
    "more": (
        gettext_noop("Bấm phím 9 để nghe thêm."),
        "Press 9 to hear more.",
    ),
    "anything_else": (
        gettext_noop("Bạn còn cần hỏi gì nữa không?"),
        "Is there anything else?",
    ),
    "ask_next": (
        gettext_noop("Mời bạn hỏi."),
        "Please go ahead.",
    ),
    "nothing_more": (
        gettext_noop("Không còn nội dung nào khác."),
        "There is nothing more.",
    ),
    "goodbye": (
        gettext_noop("Cảm ơn bạn đã gọi. Xin chào và hẹn gặp lại."),
        "Thank you for calling. Goodbye.",
    ),
    "goodbye_silence": (
        gettext_noop("Tôi không nghe thấy bạn. Cuộc gọi sẽ kết thúc. Xin chào."),
        "I cannot hear you. The call will end now. Goodbye.",
    ),
    "officer": (
        gettext_noop("Tôi đang chuyển cuộc gọi tới cán bộ trực. Xin bạn giữ máy."),
        "I am transferring you to an officer. Please hold.",
    ),
    "emergency": (
        gettext_noop(
            "Đây là tình huống khẩn cấp. Tôi chuyển ngay cuộc gọi tới cán bộ trực 113. Xin giữ máy, hãy ở "
            "nơi an toàn."
        ),
        "This is an emergency. I am connecting you to the 113 emergency officer now. Please hold and stay "
        "safe.",
    ),
    "report_start": (
        gettext_noop(
            "Mời bạn nói nội dung phản ánh sau tiếng bíp: việc gì, ở đâu, khi nào. Nói xong, hãy im lặng."
        ),
        "Please describe the problem after the tone: what, where and when. Stay silent when you finish.",
    ),
    "report_confirm": (
        gettext_noop("Tôi đã ghi: {text}. Bấm phím 1 để gửi, bấm phím 2 để nói lại."),
        "I noted: {text}. Press 1 to send, press 2 to say it again.",
    ),
    "report_too_short": (
        gettext_noop("Nội dung phản ánh quá ngắn. Bạn vui lòng nói rõ hơn: việc gì, ở đâu."),
        "The report is too short. Please say what happened and where.",
    ),
    "report_filed": (
        gettext_noop(
            "Phản ánh của bạn đã được tiếp nhận. Mã phản ánh của bạn là {code}. Tôi nhắc lại: {code}."
        ),
        "Your report has been received. Your tracking code is {code}. Again: {code}.",
    ),
    "report_failed": (
        gettext_noop("Xin lỗi, tôi chưa gửi được phản ánh. Tôi chuyển bạn tới cán bộ."),
        "Sorry, I could not file the report. I am transferring you to an officer.",
    ),
    "status_code": (
        gettext_noop("Mời bạn nhập mười chữ số của mã phản ánh, sau chữ P A, rồi bấm phím thăng."),
        "Please enter the ten digits of your tracking code after P A, then press hash.",
    ),
    "status_phone": (
        gettext_noop("Mời bạn nhập bốn số cuối của số điện thoại đã dùng khi phản ánh, rồi bấm phím thăng."),
        "Please enter the last four digits of the phone number you gave, then press hash.",
    ),
    "status_found": (
        gettext_noop("Phản ánh {code} hiện ở trạng thái: {status}. Đơn vị xử lý: {unit}."),
        "Report {code} is now: {status}. Handled by: {unit}.",
    ),
    "status_not_found": (
        gettext_noop("Không tìm thấy phản ánh với mã và số điện thoại này. Bạn vui lòng kiểm tra lại."),
        "No report matches this code and phone number. Please check and try again.",
    ),
    "engine_down": (
        gettext_noop("Xin lỗi, hệ thống nhận dạng giọng nói đang gặp sự cố."),
        "Sorry, speech recognition is not working right now.",
    ),
    "english": (
        gettext_noop("Tổng đài chuyển sang tiếng Anh."),
        "Switching to English. What would you like to ask? You can also press 0 for an officer.",
    ),
    "vietnamese": (
        gettext_noop("Tổng đài chuyển sang tiếng Việt. Mời bạn hỏi."),
        "Switching to Vietnamese.",
    ),
    "invalid_key": (
        gettext_noop("Phím không hợp lệ."),
        "That key is not valid.",
    ),
}

# Words that close the "anything else?" question.
NO_MORE = (
    "khong", "khong co", "het roi", "thoi", "cam on", "khong can", "vay thoi", "no", "no thanks",
    "nothing", "that's all", "thats all", "thank you", "thanks", "bye", "goodbye", "tam biet",
)  # fmt: skip
YES = ("co", "vang", "da", "con", "yes", "yeah", "co a", "vang a", "da co")


def say(key: str, lang: str, **values: str) -> str:
    """The prompt ``key`` in the call's language ``lang`` ("vi" or "en"), with ``values`` filled in."""
    msgid, english = PROMPTS[key]
    with translation.override("en" if lang == "en" else "vi"):
        text = translation.gettext(msgid)
    if lang == "en" and text == msgid:  # no English entry in the catalogue yet
        text = english
    return text.format(**values) if values else text
