"""Integration keys of external systems that post camera events (a vendor's ANPR unit, the traffic
centre). A key is shown once when created; only its SHA-256 is stored. A key belongs to a unit and
may post for the cameras of that unit and the units below it."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from thanglong.cameras.models import Camera, IntegrationKey
from thanglong.core.models import OrganisationUnit


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create(name: str, unit: OrganisationUnit) -> tuple[IntegrationKey, str]:
    key = "tlc_" + secrets.token_urlsafe(32)
    record = IntegrationKey.objects.create(name=name[:120], key_hash=_digest(key), prefix=key[:8], unit=unit)
    return record, key


def verify(key: str) -> IntegrationKey | None:
    if not key or len(key) > 200:
        return None
    return IntegrationKey.objects.select_related("unit").filter(key_hash=_digest(key), active=True).first()


def may_post_for(key: IntegrationKey, camera: Camera) -> bool:
    return camera.owner_unit.path.startswith(key.unit.path)


def touch(key: IntegrationKey) -> None:
    IntegrationKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
