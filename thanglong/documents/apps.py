from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "thanglong.documents"
    label = "documents"
    verbose_name = _("Số hoá văn bản")
    default_auto_field = "django.db.models.BigAutoField"
