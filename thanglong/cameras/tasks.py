"""Background jobs of the cameras app, on the "cameras" queue."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="cameras")
def analyse_upload(upload_id: str) -> dict[str, int | str]:
    from thanglong.cameras.services import uploads

    return uploads.run(upload_id)
