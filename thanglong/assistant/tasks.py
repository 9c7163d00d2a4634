"""Background jobs of the assistant (Django Tasks API; run by `thanglong db_worker` or an RQ worker)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from thanglong.assistant import zalo


@task()
def answer_zalo_message(sender_id: str, text: str, msg_id: str = "") -> dict[str, Any]:
    """Answer a Zalo follower's text and send the reply (sending retries with back-off: zalo.send_text)."""
    return zalo.answer_message(sender_id, text, msg_id)
