"""Camera alerts: a watch-list hit becomes an ``Alert`` and a live console toast; officers confirm
or dismiss it with a note (the feedback used to tune the face threshold and the plate reader)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from thanglong.cameras.models import Alert, AlertStatus, CameraEvent, WatchPerson, WatchVehicle
from thanglong.cameras.services.errors import CameraError
from thanglong.core.alerts import raise_alert
from thanglong.core.models import AuditAction
from thanglong.core.services import RequestContext, record_audit


def raise_camera_alert(
    event: CameraEvent,
    *,
    vehicle: WatchVehicle | None = None,
    person: WatchPerson | None = None,
    score: float = 1.0,
    distance: float | None = None,
) -> Alert:
    entry = vehicle or person
    assert entry is not None
    camera = event.camera
    alert = Alert.objects.create(
        event=event,
        vehicle=vehicle,
        person=person,
        unit=entry.owner_unit,
        score=score,
        distance=distance,
        created_at=timezone.now(),
    )
    local = timezone.localtime(event.observed_at)
    if vehicle is not None:
        title = _("Phát hiện phương tiện theo dõi %(plate)s") % {"plate": vehicle.plate_text}
        kind = "camera.plate"
    else:
        title = _("Phát hiện đối tượng theo dõi %(name)s") % {"name": person.full_name if person else ""}
        kind = "camera.face"
    body = f"{camera.code} · {camera.name} · {camera.address} · {local:%H:%M:%S %d/%m/%Y}"
    raise_alert(
        kind=kind,
        severity="critical",
        title=title,
        body=body,
        url=reverse("cameras:alert", args=[alert.pk]),
        units={entry.owner_unit_id, camera.owner_unit_id},
        payload={
            "alert_id": alert.pk,
            "event_id": event.pk,
            "camera": camera.code,
            "observed_at": event.observed_at.isoformat(),
            "snapshot_url": reverse("cameras:event_image", args=[event.pk, "snapshot"])
            if event.snapshot
            else "",
        },
    )
    return alert


def decide_alert(
    alert: Alert,
    *,
    confirm: bool,
    note: str,
    user: User | AnonymousUser,
    context: RequestContext | None = None,
) -> Alert:
    note = (note or "").strip()
    if not confirm and len(note) < 3:
        raise CameraError(
            "missing_note",
            "note: khi bác cảnh báo cần ghi lý do.",
            "note: say why the alert is dismissed.",
            field="note",
        )
    if alert.status != AlertStatus.NEW:
        raise CameraError(
            "already_decided",
            "Cảnh báo này đã được xử lý.",
            "This alert has already been decided.",
            status=409,
        )
    with transaction.atomic():
        alert.status = AlertStatus.CONFIRMED if confirm else AlertStatus.DISMISSED
        alert.note = note
        alert.decided_by = user if isinstance(user, User) else None
        alert.decided_at = timezone.now()
        alert.save(update_fields=["status", "note", "decided_by", "decided_at"])
        if confirm:
            # Evidence of a confirmed sighting outlives the normal retention of events.
            CameraEvent.objects.filter(pk=alert.event_id).update(keep=True)
        record_audit(
            actor=user,
            action=AuditAction.UPDATE,
            object_type="cameras.alert",
            object_id=alert.pk,
            object_repr=alert.status,
            fields=["status", "note"],
            reason=note,
            context=context,
        )
    return alert
