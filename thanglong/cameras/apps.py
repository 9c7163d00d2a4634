from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CamerasConfig(AppConfig):
    name = "thanglong.cameras"
    label = "cameras"
    verbose_name = _("Camera AI")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from typing import cast

        from thanglong.command.providers import MetricProvider, register
        from thanglong.command.providers.cameras import CamerasProvider

        register(cast(MetricProvider, CamerasProvider()))
