from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "thanglong.incidents"
    label = "incidents"
    verbose_name = _("Tiếp nhận 113/114")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The command overview shows open incidents and time to dispatch (see command.providers).
        from typing import cast

        from thanglong.command.providers import MetricProvider, register
        from thanglong.command.providers.incidents import IncidentsProvider

        register(cast(MetricProvider, IncidentsProvider()))  # its title is a lazy translation
