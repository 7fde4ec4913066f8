from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QicaiConfig(AppConfig):
    name = "qicai"
    verbose_name = _("七彩工程")
