"""Background jobs of the command app: unit reports (queue "reports") and period medians."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="reports")
def generate_unit_report(report_id: int) -> str:
    from thanglong.command import reports

    return reports.generate(report_id)


@task()
def compute_period_medians(kind: str, key: str) -> int:
    """Every unit's median response and resolution for one period; idempotent (replaces the last run)."""
    from thanglong.command import performance, periods

    return performance.store_medians(periods.parse(kind, key)).medians.count()
