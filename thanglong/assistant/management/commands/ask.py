"""`thanglong ask "câu hỏi"`: ask the virtual assistant from the command line (same answer as the API)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thanglong.assistant import services
from thanglong.assistant.models import Channel


class Command(BaseCommand):
    help = (
        "Hỏi trợ lý ảo về thủ tục hành chính và in câu trả lời kèm nguồn; --json in đúng JSON của "
        "POST /api/v1/assistant/ask. / Ask the virtual assistant; --json prints the API's JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("question", nargs="+", help="câu hỏi / the question")
        parser.add_argument("--json", action="store_true", dest="as_json", help="in JSON / print JSON")
        parser.add_argument("--lang", choices=services.LANGUAGES, help="ngôn ngữ trả lời / answer language")
        parser.add_argument("--session", help="tiếp tục hội thoại / continue a conversation (session id)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            conversation, turn, reply = services.ask(
                " ".join(options["question"]),
                session_id=options["session"],
                lang=options["lang"],
                channel=Channel.CLI,
            )
        except services.InvalidQuestionError as exc:
            raise CommandError(f"{exc.message_vi} / {exc.message_en}") from exc
        payload = services.reply_payload(conversation, turn, reply)
        if options["as_json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(reply.answer)
        if reply.citations:
            self.stdout.write("")
            self.stdout.write("Nguồn / Sources:")
            for citation in reply.citations:
                legal = f" — {citation.legal_document}" if citation.legal_document else ""
                article = f", {citation.article}" if citation.article else ""
                self.stdout.write(f"  • {citation.procedure_name} ({citation.url}){legal}{article}")
        if payload["choices"]:
            self.stdout.write("")
            for choice in payload["choices"]:
                self.stdout.write(f"  ? {choice['name']} [{choice['code']}]")
        self.stdout.write("")
        self.stdout.write(self.style.HTTP_INFO(f"session: {conversation.session_id}"))
