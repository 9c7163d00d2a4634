"""Demo calls, so the console's call list has something to show: run through the real call flow
(espeak-ng speaks; the callers' words are given as text, as a channel with its own recogniser would)."""

from __future__ import annotations

import shutil
from collections.abc import Callable

from thanglong.voice.models import Call, CallChannel

Out = Callable[[str], None]

# (caller number, steps: a key press is one character, anything longer is what the caller said)
CALLS: list[tuple[str, list[str]]] = [
    ("0912000222", ["làm lại căn cước hết bao nhiêu tiền", "không"]),
    (
        "0987000333",
        ["2", "Quán karaoke số 12 ngõ 5 phố Huế hát to đến 1 giờ sáng mấy đêm liền", "1", "không"],
    ),
    ("0903000444", ["thời tiết hôm nay thế nào", "0"]),
]


def load(out: Out) -> list[object]:
    if Call.objects.exists():
        out("  calls: already there, left as they are")
        return []
    if not shutil.which("espeak-ng"):
        out("  calls: skipped (espeak-ng is not installed)")
        return []
    from thanglong.voice import engines
    from thanglong.voice.callflow import CallSession
    from thanglong.voice.engines.base import EngineError

    created: list[object] = []
    for number, steps in CALLS:
        try:
            session = CallSession(caller_number=number, channel=CallChannel.OTHER)
        except EngineError:
            out("  calls: skipped (no speech engine)")
            return created
        session.start()
        for step in steps:
            if session.state.mode == "ended":
                break
            if len(step) == 1:
                session.on_dtmf(step)
            else:
                session.on_text(step)
        if session.state.mode != "ended":
            session.on_hangup()
        created.append(session.call)
    out(f"  calls: {len(created)} demo calls ({engines.get_tts().name})")
    return created
