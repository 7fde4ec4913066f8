from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class QicaiConfig(AppConfig):
    default = True
    name = "qicai"
    verbose_name = _("七彩工程")


class QicaiAdminConfig(admin_apps.AdminConfig):
    """The admin with the portfolio's own site: 待办 on the index and its own page."""

    default = False
    default_site = "qicai.admin_site.QicaiAdminSite"
