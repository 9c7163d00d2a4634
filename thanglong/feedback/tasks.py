"""Background jobs of the feedback workflow: outbox delivery and the periodic SLA sweep.

``deliver_notification`` is queued on commit by :mod:`.services.notify`; it is idempotent (a row that
is already sent, failed or being sent is skipped) and bounded by the adapters' HTTP time-out.
``feedback_periodic`` is what a scheduler (cron, systemd timer, or ``thanglong feedback-sla --every``)
runs every few minutes: SLA alerts, then re-queueing of notifications whose retry time has come.
"""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def deliver_notification(notification_id: int) -> str:
    from thanglong.feedback.services import notify

    return notify.deliver(notification_id)


@task()
def feedback_periodic() -> dict[str, Any]:
    return run_periodic()


def run_periodic() -> dict[str, Any]:
    from thanglong.feedback.services import notify, workflow

    alerts = workflow.raise_sla_alerts()
    requeued = notify.retry_due()
    logger.info("feedback periodic: alerts %s, notifications re-queued %d", alerts, requeued)
    return {"alerts": alerts, "notifications_requeued": requeued}
