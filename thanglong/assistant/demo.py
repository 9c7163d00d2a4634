"""Demo conversations, so the officers' desk pages have something to show (asked through the engine)."""

from __future__ import annotations

from collections.abc import Callable

from thanglong.assistant import services
from thanglong.assistant.models import Channel, Conversation

Out = Callable[[str], None]

# (channel, sender id on that channel, questions in order, rating of the last answer, hand-off contact)
CONVERSATIONS: list[tuple[str, str, list[str], int, str]] = [
    (Channel.WEB, "", ["làm lại căn cước hết bao nhiêu tiền", "cần mang giấy tờ gì"], 1, ""),
    (Channel.WEB, "", ["dang ky tam tru can giay to gi", "nộp ở đâu"], 1, ""),
    (Channel.API, "", ["How much does a new passport cost?"], 1, ""),
    (Channel.ZALO, "2468000000000000001", ["mất hộ chiếu thì phải làm sao"], -1, "0912 000 111"),
    (Channel.WEB, "", ["thời tiết Hà Nội hôm nay thế nào"], -1, ""),
    (Channel.WEB, "", ["xin giấy phép karaoke ở đâu"], 0, ""),
    (Channel.CLI, "", ["khai báo lưu trú cho khách nước ngoài"], 0, ""),
]


def load(out: Out) -> list[object]:
    if Conversation.objects.exists():
        out("  conversations: already there, left as they are")
        return []
    if not services.engine_available():
        out("  conversations: skipped (the assistant engine is not installed yet)")
        return []
    turns = 0
    for channel, sender, questions, rating, contact in CONVERSATIONS:
        session_id = None
        for question in questions:
            conversation, turn, _ = services.ask(
                question, session_id=session_id, channel=channel, external_user_id=sender
            )
            session_id = str(conversation.session_id)
            turns += 1
        if rating:
            services.rate_turn(turn, rating, "" if rating > 0 else "Chưa đúng điều tôi hỏi.")
        if contact:
            services.request_handoff(conversation, reason="Muốn gặp cán bộ", contact=contact)
    out(f"  conversations: {len(CONVERSATIONS)} ({turns} questions asked)")
    return []
