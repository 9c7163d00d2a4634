"""The triage job, queued by intake after a report commits (run by `thanglong db_worker` or RQ)."""

from __future__ import annotations

import logging

from django_tasks import task

from thanglong.feedback.choices import TriageState
from thanglong.feedback.models import Report

logger = logging.getLogger(__name__)


@task(queue_name="default")
def triage_report_task(report_id: int) -> str:
    """Triage one report; a retry or a second copy of the job is harmless (apply_triage is idempotent)."""
    from thanglong.feedback.services.triage import apply_triage

    try:
        report = apply_triage(report_id)
    except Report.DoesNotExist:
        logger.warning("triage: report %s no longer exists", report_id)
        return "missing"
    except Exception:
        # The dispatcher's queue lists failed reports, so a person handles it while we look at the log.
        logger.exception("triage of report %s failed", report_id)
        Report.objects.filter(pk=report_id, triage_state=TriageState.PENDING).update(
            triage_state=TriageState.FAILED
        )
        raise
    return str(report.triage_state)
