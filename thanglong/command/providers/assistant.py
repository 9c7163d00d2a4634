"""The virtual assistant on the command overview: questions asked, answers to review, waiting hand-offs.

The assistant serves the whole city, so these figures are city-wide whatever the reader's scope; they
are shown to the assistant desk and to readers who see every unit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thanglong.command.providers import Metric, Panel
from thanglong.command.scope import Scope
from thanglong.core.access import sees_all_units


class AssistantProvider:
    key = "assistant"
    title = gettext_lazy("Trợ lý ảo")
    order = 20

    def available(self, user: User | AnonymousUser) -> bool:
        from thanglong.assistant.services import is_assistant_desk

        return sees_all_units(user) or is_assistant_desk(user)

    def panel(self, user: User | AnonymousUser, scope: Scope, now: datetime) -> Panel:
        from thanglong.assistant.models import Handoff, HandoffStatus, Turn
        from thanglong.assistant.services import low_confidence_turns

        day = timedelta(days=1)
        turns = Turn.objects.filter(created_at__gt=now - 2 * day, created_at__lte=now).aggregate(
            last_day=Count("id", filter=Q(created_at__gt=now - day)),
            previous_day=Count("id", filter=Q(created_at__lte=now - day)),
            conversations=Count("conversation", distinct=True, filter=Q(created_at__gt=now - day)),
            previous_conversations=Count("conversation", distinct=True, filter=Q(created_at__lte=now - day)),
        )
        to_review = low_confidence_turns()
        review = to_review.aggregate(
            total=Count("id"),
            last_day=Count("id", filter=Q(created_at__gt=now - day)),
        )
        waiting = Handoff.objects.filter(status=HandoffStatus.OPEN).count()
        metrics = [
            Metric(
                "assistant.conversations",
                _("Cuộc hội thoại trong 24 giờ"),
                turns["conversations"],
                previous=turns["previous_conversations"],
                compare_label=_("so với 24 giờ trước đó"),
                url=reverse("assistant:desk"),
                higher_is_better=True,
            ),
            Metric(
                "assistant.questions",
                _("Câu hỏi trong 24 giờ"),
                turns["last_day"],
                previous=turns["previous_day"],
                compare_label=_("so với 24 giờ trước đó"),
                url=reverse("assistant:desk"),
                higher_is_better=True,
            ),
            Metric(
                "assistant.unanswered",
                _("Câu hỏi chưa trả lời được, chờ xem xét"),
                review["total"],
                url=reverse("assistant:review"),
                alert=review["total"] > 0,
            ),
            Metric(
                "assistant.handoffs",
                _("Người dân chờ gặp cán bộ"),
                waiting,
                url=reverse("assistant:handoffs"),
                alert=waiting > 0,
            ),
        ]
        return Panel(self.key, str(self.title), metrics, note=_("Số liệu toàn thành phố."))
