from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("项目管理")

    def ready(self):
        from projects.imports.activities import ActivityImporter
        from projects.imports.cases import CaseImporter
        from projects.imports.followups import FollowUpImporter
        from projects.imports.organizations import OrganizationImporter
        from projects.imports.projects import ProjectImporter
        from projects.imports.registry import register
        from projects.imports.scores import ScorecardImporter

        register(ActivityImporter)
        register(CaseImporter)
        register(FollowUpImporter)
        register(OrganizationImporter)
        register(ProjectImporter)
        register(ScorecardImporter)

        from projects.access_log import connect

        connect()
