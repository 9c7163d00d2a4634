from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "thanglong.incidents"
    label = "incidents"
    verbose_name = _("Tiếp nhận 113/114")
    default_auto_field = "django.db.models.BigAutoField"
