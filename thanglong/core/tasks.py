"""Background jobs of the core app (Django Tasks API; run by `thanglong db_worker` or an RQ worker)."""

from __future__ import annotations

import logging

from django_tasks import task

from thanglong.core.importers import import_divisions

logger = logging.getLogger(__name__)


@task(queue_name="imports")
def import_divisions_task() -> dict[str, int]:
    """(Re)load the administrative units; idempotent, so a retried job is harmless."""

    def log_progress(stage: str, done: int, total: int) -> None:
        logger.info("import divisions: %s %d/%d", stage, done, total)

    counts = import_divisions(progress=log_progress)
    logger.info("import divisions done: %s", counts)
    return counts
