from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    name = "thanglong.voice"
    label = "voice"
    verbose_name = _("Tổng đài tự động")
    default_auto_field = "django.db.models.BigAutoField"
