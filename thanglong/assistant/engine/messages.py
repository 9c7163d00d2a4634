"""Fixed texts of the assistant, in Vietnamese and English: emergencies, hand-offs, clarifying questions."""

from __future__ import annotations

EMERGENCY_FIRST_LINE = {
    "vi": "KHẨN CẤP: hãy gọi ngay 113 (Công an), 114 (Cứu hỏa, cứu nạn cứu hộ) hoặc 115 (Cấp cứu y tế).",
    "en": "EMERGENCY: call 113 (police), 114 (fire and rescue) or 115 (ambulance) right now.",
}
EMERGENCY_DETAIL = {
    "vi": {
        "fire": "Có cháy: gọi 114 trước, rời khỏi khu vực cháy, không dùng thang máy, che mũi miệng "
        "bằng khăn ướt.",
        "medical": "Có người bị thương hoặc nguy kịch: gọi 115, giữ an toàn hiện trường và báo 113 "
        "nếu là tai "
        "nạn giao thông hoặc có dấu hiệu tội phạm.",
        "crime": "Có hành vi phạm tội hoặc đe dọa: gọi 113, đến nơi an toàn, ghi nhớ đặc điểm người, xe và "
        "hướng di chuyển.",
    },
    "en": {
        "fire": "Fire: call 114 first, get out of the area, do not use lifts, cover your nose and "
        "mouth with a "
        "wet cloth.",
        "medical": "Someone is hurt: call 115, keep the scene safe, and call 113 for a traffic accident or a "
        "crime.",
        "crime": "Crime or threat: call 113, get to a safe place, remember the people, vehicles and "
        "where they "
        "went.",
    },
}
EMERGENCY_LAST_LINE = {
    "vi": "Trợ lý ảo không thể điều lực lượng đến hiện trường — chỉ cuộc gọi 113/114/115 làm được việc đó.",
    "en": "This assistant cannot send help to you — only a call to 113/114/115 can.",
}
EMERGENCY_THEN_PROCEDURE = {
    "vi": "Khi đã an toàn, thủ tục liên quan:",
    "en": "Once you are safe, the related procedure:",
}

FEEDBACK = {
    "vi": "Cảm ơn bạn đã phản ánh. Phản ánh, kiến nghị, tố giác được tiếp nhận tại trang "
    "«Gửi phản ánh, kiến nghị» ({new_url}) hoặc qua Zalo OA của Công an Thành phố: hãy mô tả sự việc, "
    "thời gian, địa điểm; bạn sẽ nhận mã phản ánh (PA-…) để tra cứu kết quả. Nếu sự việc đang xảy ra "
    "và nguy hiểm, hãy gọi ngay 113.",
    "en": "Thank you for reporting this. Reports, petitions and tip-offs are taken on the «Send feedback» "
    "page ({new_url}) or through the city police's Zalo OA: describe what happened, when and where; you "
    "will get a tracking code (PA-…) to follow it up. If it is happening now and someone is in danger, "
    "call 113.",
}
CASE_STATUS = {
    "vi": "Để tra cứu phản ánh, hãy mở trang Tra cứu ({status_url}) và nhập mã phản ánh (PA-…) cùng "
    "4 số cuối số điện thoại đã khai; hồ sơ thủ tục hành chính tra cứu trên Cổng Dịch vụ công / ứng dụng "
    "VNeID. Trợ lý không xem được hồ sơ cá nhân; nếu cần, tôi có thể chuyển bạn tới cán bộ.",
    "en": "To check a report, open the Look-up page ({status_url}) and enter its tracking code (PA-…) "
    "with the last 4 digits of the phone number you gave; administrative dossiers are tracked on the "
    "National Public Service Portal / VNeID app. The assistant cannot see personal files; I can pass you "
    "to an officer.",
}
HANDOFF = {
    "vi": "Tôi sẽ chuyển cuộc trò chuyện tới cán bộ trực. Bạn vui lòng để lại nội dung cần hỏi (và "
    "số điện thoại "
    "nếu muốn được gọi lại); cán bộ sẽ trả lời trong giờ làm việc.",
    "en": "I will pass this conversation to the officer on duty. Please leave your question (and a phone "
    "number if you want a call back); an officer will answer during working hours.",
}
GREETING = {
    "vi": "Xin chào! Tôi là trợ lý ảo của Công an Thành phố Hà Nội. Bạn có thể hỏi về thủ tục cư trú, căn "
    "cước, hộ chiếu, đăng ký xe… (lệ phí, giấy tờ, thời hạn, nơi nộp). Nếu khẩn cấp, hãy gọi 113.",
    "en": "Hello! I am the Hanoi City Police virtual assistant. Ask me about residence "
    "registration, ID cards, "
    "passports, vehicle registration… (fees, documents, processing time, where to apply). In an emergency, "
    "call 113.",
}
EMPTY = {
    "vi": "Mời bạn nhập câu hỏi, ví dụ: “Đăng ký tạm trú cần giấy tờ gì?”",
    "en": "Please type your question, for example: “What documents do I need for temporary residence?”",
}
OUT_OF_SCOPE = {
    "vi": "Xin lỗi, câu hỏi này nằm ngoài phạm vi trợ lý (thủ tục hành chính của Công an). Bạn có muốn gặp "
    "cán bộ không? Nếu khẩn cấp, hãy gọi 113.",
    "en": "Sorry, this is outside what the assistant covers (police administrative procedures). Would you "
    "like to talk to an officer? In an emergency, call 113.",
}
WHICH_PROCEDURE = {
    "vi": "Bạn muốn hỏi {part} của thủ tục nào? Ví dụ: đăng ký tạm trú, cấp lại thẻ căn cước, cấp hộ chiếu.",
    "en": "Which procedure do you mean? For example: temporary residence registration, ID card replacement, "
    "passport.",
}
PART_NAMES = {
    "vi": {"fee": "lệ phí", "documents": "hồ sơ", "time": "thời hạn", "where": "nơi nộp", "steps": "các bước",
           "legal": "căn cứ pháp lý", "other": "thông tin"},
    "en": {"fee": "the fee", "documents": "the documents", "time": "the processing time",
           "where": "where to apply", "steps": "the steps", "legal": "the legal basis",
           "other": "information"},
}  # fmt: skip
CLARIFY = {
    "vi": "Bạn muốn hỏi thủ tục nào: {options}? Hãy trả lời bằng số hoặc tên thủ tục.",
    "en": "Which one do you mean: {options}? Reply with the number or the name.",
}
OR_WORD = {"vi": "hay", "en": "or"}
TRUNCATED = {
    "vi": "(Câu hỏi dài quá 2.000 ký tự nên chỉ phần đầu được xem xét.)",
    "en": "(Your question was longer than 2,000 characters; only the beginning was read.)",
}


def options(names: list[str], lang: str) -> str:
    numbered = [f"({number}) {name}" for number, name in enumerate(names, start=1)]
    if len(numbered) == 1:
        return numbered[0]
    return ", ".join(numbered[:-1]) + f" {OR_WORD[lang]} " + numbered[-1]


# --- sending a report inside the conversation (the flow lives in thanglong.assistant.services) ----------
FEEDBACK_START = {
    "vi": "Tôi sẽ giúp bạn gửi phản ánh tới Công an Thành phố ngay trong cuộc trò chuyện này (gõ «hủy» để "
    "dừng bất cứ lúc nào). Nếu sự việc đang xảy ra và có người gặp nguy hiểm, hãy gọi ngay 113.",
    "en": "I will help you send a report to the city police right here in this chat (type “cancel” to stop "
    "at any time). If it is happening now and someone is in danger, call 113 right away.",
}
FEEDBACK_ASK_WHAT = {
    "vi": "Bạn hãy mô tả sự việc: chuyện gì đã xảy ra, vào lúc nào?",
    "en": "Please describe what happened, and when.",
}
FEEDBACK_TOO_SHORT = {
    "vi": "Nội dung còn ngắn quá. Hãy mô tả rõ hơn (ít nhất {minimum} ký tự) để cán bộ hiểu được sự việc.",
    "en": "That is too short. Please describe it in more detail (at least {minimum} characters) so that "
    "an officer can understand what happened.",
}
FEEDBACK_ASK_WHERE = {
    "vi": "Sự việc xảy ra ở đâu? Hãy ghi địa chỉ hoặc tên phường, xã (ví dụ: số 5 ngõ 68 Cầu Giấy, "
    "phường Cầu Giấy).",
    "en": "Where did it happen? Give the address or the ward (for example: 5 Lane 68 Cau Giay, "
    "Cau Giay ward).",
}
FEEDBACK_ASK_CONTACT = {
    "vi": "Để nhận thông báo kết quả xử lý, hãy để lại số điện thoại. Nếu không muốn, trả lời «ẩn danh» "
    "(bạn vẫn theo dõi được kết quả bằng đường dẫn riêng).",
    "en": "Leave a phone number to be told how your report is handled, or reply “anonymous” to skip (you can "
    "still follow it with a private link).",
}
FEEDBACK_ASK_CONTACT_ZALO = {
    "vi": "Kết quả xử lý sẽ được báo lại qua Zalo này. Nếu muốn cán bộ gọi lại khi cần, hãy gửi số điện "
    "thoại; nếu không, trả lời «bỏ qua». Trả lời «ẩn danh» nếu bạn không muốn để lại bất kỳ thông tin "
    "liên lạc nào (khi đó chỉ theo dõi được kết quả bằng đường dẫn riêng).",
    "en": "You will be told how your report is handled here on Zalo. If an officer may call you back, send "
    "a phone number; if not, reply “skip”. Reply “anonymous” to leave no contact at all (you will then "
    "follow it with a private link only).",
}
FEEDBACK_BAD_PHONE = {
    "vi": "Số điện thoại chưa đúng (ví dụ 0912345678 hoặc +84912345678). Hãy gửi lại, hoặc trả lời "
    "«ẩn danh».",
    "en": "That phone number does not look right (for example 0912345678 or +84912345678). Send it again, "
    "or reply “anonymous”.",
}
FEEDBACK_SUMMARY = {
    "vi": "Phản ánh của bạn:\n• Nội dung: {text}\n• Địa điểm: {address}\n• Liên hệ: {contact}",
    "en": "Your report:\n• What happened: {text}\n• Where: {address}\n• Contact: {contact}",
}
FEEDBACK_CONTACT = {
    "vi": {
        "phone": "số điện thoại {phone}",
        "zalo": "qua Zalo này",
        "anonymous": "ẩn danh (không để lại thông tin liên lạc)",
    },
    "en": {
        "phone": "phone {phone}",
        "zalo": "here on Zalo",
        "anonymous": "anonymous (no contact details)",
    },
}
FEEDBACK_CONSENT = {
    "vi": "Khi gửi, bạn đồng ý để Công an Thành phố Hà Nội xử lý các thông tin trên (kể cả thông tin liên "
    "lạc) chỉ nhằm giải quyết phản ánh này, theo quy định về bảo vệ dữ liệu cá nhân.",
    "en": "By sending it you agree that the Hanoi City Police process the information above (contact details "
    "included) only to handle this report, as the personal data protection rules require.",
}
FEEDBACK_CONFIRM = {"vi": "Gửi phản ánh? (có/không)", "en": "Send the report? (yes/no)"}
FEEDBACK_YES_OR_NO = {
    "vi": "Hãy trả lời «có» để gửi, hoặc «không» để hủy.",
    "en": "Please reply “yes” to send it, or “no” to cancel.",
}
FEEDBACK_SENT = {
    "vi": "Đã tiếp nhận phản ánh của bạn. Mã phản ánh: {code}.\nXem kết quả xử lý tại đường dẫn riêng (chỉ "
    "dành cho bạn, đừng chia sẻ): {link}",
    "en": "Your report has been received. Tracking code: {code}.\nFollow it at your private link (for you "
    "only, do not share it): {link}",
}
FEEDBACK_SENT_ZALO = {
    "vi": "Kết quả xử lý cũng sẽ được báo lại qua Zalo này.",
    "en": "You will also be told here on Zalo how it is handled.",
}
FEEDBACK_NOT_SENT = {
    "vi": "Phản ánh chưa gửi được: {problem}",
    "en": "The report could not be sent yet: {problem}",
}
FEEDBACK_CANCELLED = {
    "vi": "Đã hủy, phản ánh chưa được gửi. Bạn có thể gửi lại bất cứ lúc nào, hoặc hỏi tôi về thủ tục "
    "hành chính.",
    "en": "Cancelled: the report was not sent. You can start again at any time, or ask me about an "
    "administrative procedure.",
}
FEEDBACK_RESUME = {
    "vi": "Phản ánh của bạn chưa được gửi và vẫn đang chờ (gõ «hủy» để dừng).",
    "en": "Your report has not been sent yet and is still waiting (type “cancel” to stop).",
}
