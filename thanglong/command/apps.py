from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommandConfig(AppConfig):
    name = "thanglong.command"
    label = "command"
    verbose_name = _("Chỉ huy, điều hành và thống kê")
    default_auto_field = "django.db.models.BigAutoField"
