"""E-mail through Django's configured mail backend (only used when a citizen gave no phone)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from thanglong.feedback.notifiers import EMAIL, DeliveryError


class EmailNotifier:
    channel = EMAIL

    def send(self, recipient: str, text: str, *, idempotency_key: str = "") -> str:
        subject, _, body = text.partition("\n")
        try:
            send_mail(subject[:150], body or subject, settings.DEFAULT_FROM_EMAIL, [recipient])
        except (OSError, ValueError) as exc:
            raise DeliveryError(f"mail: {exc}") from exc
        return idempotency_key
