from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "thanglong.assistant"
    label = "assistant"
    verbose_name = _("Trợ lý ảo")
    default_auto_field = "django.db.models.BigAutoField"
