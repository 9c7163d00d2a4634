"""One error type for every refusal of the cameras services, in Vietnamese and English."""

from __future__ import annotations

from typing import Any


class CameraError(ValueError):
    """Bad input or a refused action; ``field`` names the offending input for API answers."""

    def __init__(self, code: str, message_vi: str, message_en: str, *, field: str = "", status: int = 422):
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.field = field
        self.status = status

    def as_dict(self) -> dict[str, Any]:
        fields = (
            [{"field": self.field, "message_vi": self.message_vi, "message_en": self.message_en}]
            if self.field
            else []
        )
        return {
            "error": self.code,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "fields": fields,
        }
