"""Still images sent for analysis: checked, stored, then read by a background job on the
"cameras" queue (plates and faces, through thanglong.cameras.worker.analyse.analyse_image)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from thanglong.cameras.models import Camera, ImageUpload, UploadStatus
from thanglong.cameras.services.images import check_image, to_bgr
from thanglong.core.jobs import enqueue_on_commit


def submit(
    camera: Camera, data: bytes, *, user: User | AnonymousUser, observed_at: datetime | None = None
) -> ImageUpload:
    from thanglong.cameras.tasks import analyse_upload

    checked = check_image(data)
    with transaction.atomic():
        upload = ImageUpload(
            camera=camera,
            observed_at=observed_at or timezone.now(),
            created_by=user if isinstance(user, User) else None,
        )
        upload.image.save("upload.jpg", ContentFile(checked.jpeg), save=False)
        upload.save()
        enqueue_on_commit(analyse_upload, str(upload.pk))
    return upload


def run(upload_id: str) -> dict[str, int | str]:
    """The job: analyse one stored upload and record the events found."""
    from thanglong.cameras.worker.analyse import analyse_image

    upload = ImageUpload.objects.select_related("camera").get(pk=upload_id)
    if upload.status == UploadStatus.DONE:
        return {"events": upload.events, "status": upload.status}  # a retried job does no second pass
    ImageUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.RUNNING)
    try:
        with upload.image.open("rb") as handle:
            image = to_bgr(handle.read())
        events = analyse_image(upload.camera, image, observed_at=upload.observed_at, source="upload")
    except Exception as exc:
        ImageUpload.objects.filter(pk=upload.pk).update(
            status=UploadStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:500], finished_at=timezone.now()
        )
        raise
    ImageUpload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.DONE, events=len(events), finished_at=timezone.now()
    )
    return {"events": len(events), "status": UploadStatus.DONE}
