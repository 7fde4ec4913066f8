from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class QicaiConfig(AppConfig):
    default = True
    name = "qicai"
    verbose_name = _("七彩工程")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from projects import data_version
        from qicai.middleware import start_session_clock_on_login
        from qicai.two_factor import mark_session_on_login

        user_logged_in.connect(start_session_clock_on_login, dispatch_uid="qicai.start_session_clock")
        user_logged_in.connect(mark_session_on_login, dispatch_uid="qicai.two_factor_session")
        data_version.connect()  # every save of the projects' and awards' records makes a new data version


class QicaiAdminConfig(admin_apps.AdminConfig):
    """The admin with the portfolio's own site: 待办 on the index and its own page."""

    default = False
    default_site = "qicai.admin_site.QicaiAdminSite"
