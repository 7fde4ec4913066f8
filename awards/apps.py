from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("表彰管理")

    def ready(self):
        # The awards app registers its own importer: projects never imports awards.
        from awards.imports import AwardRecordImporter
        from projects.imports.registry import register

        register(AwardRecordImporter)
