from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CamerasConfig(AppConfig):
    name = "thanglong.cameras"
    label = "cameras"
    verbose_name = _("Camera AI")
    default_auto_field = "django.db.models.BigAutoField"
