"""A project's dossier (项目档案): a readable page of everything the user may see of one project.

Scope is ``Project.objects.visible_to``: a project out of the user's reach answers 404, exactly as a
code that does not exist. Figures come from ``projects.selectors.project_summary``; the timeline is
the audit trail read as the workbench's project page reads it; the buttons are the workbench's
(``permissions.available_transitions``) and lead to its confirmation pages: this page changes nothing.
No personal data: the people served appear as counts only.
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from awards.models import AwardRecord
from projects import data_version, permissions
from projects.audit import entry_summary
from projects.figures import is_funded
from projects.models import Agreement, AuditEntry, Evaluation, Project
from projects.selectors import kept_project_summary
from projects.services import budget_problems, budget_total, instalment_conditions


@require_safe
@login_required
def project_detail(request, code):
    user = request.user
    # The scope is checked on every request; what the page shows is kept (see ``dossier_body``).
    project = get_object_or_404(Project.objects.visible_to(user).for_dossier(), code=code)
    return render(request, "portal/project_detail.html", {"project": project, "body": dossier_body(request, project)})


def dossier_body(request, project: Project) -> str:
    """The page below the header, rendered once per project, reader's standing (role, permissions,
    organisation: ``permissions.standing``) and data version: the same for everyone who would be shown the
    same, made anew by any change of the data (``projects.data_version``)."""
    return data_version.cached(
        "dossier",
        project.pk,
        permissions.standing(request.user),
        compute=lambda: render_to_string(
            "portal/includes/dossier_body.html", dossier_context(request, project), request=request
        ),
    )


def dossier_context(request, project: Project) -> dict:
    """Everything the page shows, read in a number of queries that does not grow with the project's rows."""
    user = request.user
    budget_lines = list(project.budget_lines.all())
    instalments = list(project.instalments.all())
    unmet = instalment_conditions(project, instalments)
    agreements = Agreement.objects.visible_to(user).filter(project=project).select_related("project").order_by("pk")
    sees_evaluators = permissions.can_see_evaluators(user)
    evaluations = (
        Evaluation.objects.visible_to(user).filter(project=project).select_related("project").order_by("due_date", "pk")
    )
    if sees_evaluators:
        evaluations = evaluations.prefetch_related("evaluators")
    timeline = AuditEntry.objects.visible_to(user).timeline_of(project)
    return {
        "project": project,
        "summary": kept_project_summary(project),
        "funded": is_funded(project),
        "budget_lines": budget_lines,
        "budget_total": budget_total(budget_lines),
        "budget_problems": budget_problems(project) if budget_lines else [],
        "instalments": [(instalment, unmet[instalment.pk]) for instalment in instalments],
        "social_funds": list(project.social_funds.all()),
        "agreements": [(agreement, permissions.can_download_scan(user, agreement)) for agreement in agreements],
        # Score and grade are shown once finalised, never a score on its way.
        "evaluations": [(evaluation, evaluation.status == Evaluation.Status.FINALISED) for evaluation in evaluations],
        "sees_evaluators": sees_evaluators,
        "awards": list(AwardRecord.objects.filter(project=project).select_related("round", "award_type", "project")),
        "timeline": [(entry, entry_summary(entry)) for entry in timeline],
        "transitions": permissions.available_transitions(user, project),
        "in_workbench": opens_in_workbench(request, project),
        "sees_casework": permissions.can_view_casework(user, project),
        "keeps_casework": permissions.can_keep_casework(user, project),
        "oversees_rectification": permissions.can_oversee_rectification(user, project),
    }


def opens_in_workbench(request, project: Project) -> bool:
    """Whether the admin itself would show the user the project's page (its own rule, asked, not copied)."""
    site = admin.site
    return site.has_permission(request) and site.get_model_admin(Project).has_view_or_change_permission(
        request, project
    )
