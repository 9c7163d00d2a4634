"""Camera AI services: every state change of the cameras app goes through here."""

from thanglong.cameras.services.errors import CameraError
from thanglong.cameras.services.events import cameras_for_group, heartbeat, record_event

__all__ = ["CameraError", "cameras_for_group", "heartbeat", "record_event"]
