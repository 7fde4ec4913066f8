"""Reads of the portfolio: one named method per screen or scope.

``visible_to(user)`` is the queryset twin of ``projects.permissions``: every list,
export, autocomplete and object lookup goes through it.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from projects import permissions, states


class OrganizationQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("parent")


class RoundQuerySet(models.QuerySet):
    def with_money(self):
        """Every money figure of ``projects.figures`` per round: ``approved_total``, ``social_total`` …"""
        from projects.figures import with_round_money

        return with_round_money(self)


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        if permissions.sees_whole_portfolio(user):
            return self
        if permissions.is_implementing_unit(user):
            return self.filter(implementing_unit_id=permissions.organization_id_of(user))
        if permissions.is_evaluator(user):
            from projects.models import Evaluation

            assigned = Evaluation.objects.filter(project=OuterRef("pk"), evaluators=user).opening_project()
            return self.filter(Exists(assigned))
        return self.none()

    def casework_by(self, user):
        """The projects in which ``user`` may record casework now: the twin of ``permissions.can_keep_casework``."""
        projects = self.visible_to(user).filter(status__in=states.CASEWORK)
        if not user.is_superuser:
            projects = projects.filter(implementing_unit_id=permissions.organization_id_of(user))
        return projects.select_related("round")

    def for_list(self):
        """What a project list row shows: round, unit, category and place in one query."""
        return self.select_related("round", "implementing_unit", "category", "subdistrict", "community")

    def with_money(self):
        """Every money figure of ``projects.figures`` per project: ``approved_total``, ``social_total`` …"""
        from projects.figures import with_project_money

        return with_project_money(self)

    def with_latest_grade(self):
        """``latest_grade``: the grade of the project's most recently finalised evaluation (either kind), or
        None. A failed evaluation redone after rectification counts as its redo, as in ``selectors``."""
        from projects.models import Evaluation

        latest = Evaluation.objects.filter(project=OuterRef("pk"), status=states.EvaluationStatus.FINALISED).order_by(
            "-finalised_at", "-pk"
        )
        return self.annotate(latest_grade=Subquery(latest.values("grade")[:1]))

    def published(self):
        """The projects anyone may see (公示): funded (``figures.funded``) and in a ``states.PUBLISHED`` state."""
        from projects.figures import funded

        return self.filter(funded(), status__in=states.PUBLISHED)

    def for_public_list(self):
        """A public list row: unit, colour category and subdistrict in one query, in code order."""
        return self.select_related("implementing_unit", "category", "subdistrict").order_by("sequence", "code")

    def for_dossier(self):
        """What a project's dossier shows of the project's own rows (place, partners, budget lines,
        instalments, social funds): five queries however many rows. Scoped rows (evaluations,
        agreements, the timeline) are read with the viewer's ``visible_to``."""
        from projects.models import BudgetLine, SocialFund

        return self.select_related(
            "round", "implementing_unit", "category", "subdistrict", "community", "guiding_department"
        ).prefetch_related(
            "partners",
            Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("category")),
            "instalments",
            Prefetch("social_funds", queryset=SocialFund.objects.select_related("donor").order_by("received_on", "pk")),
        )


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user):
        if permissions.sees_whole_portfolio(user):
            return self
        if permissions.is_implementing_unit(user):
            from projects.models import Project

            # Two sets each served by an index (party_b, and the unit's projects), not an OR across the join to
            # the project, which read every agreement. The same rows: a unit that is party B of another unit's
            # project, and its own projects' agreements whoever party B is.
            org = permissions.organization_id_of(user)
            own_projects = Project.objects.filter(implementing_unit_id=org).values("pk")
            return self.filter(Q(party_b_id=org) | Q(project_id__in=own_projects))
        return self.none()

    def for_list(self):
        return self.select_related("round", "project", "party_a", "party_b")


class AuditEntryQuerySet(models.QuerySet):
    """Programme staff read every entry; those who see a project read its public timeline entries."""

    def visible_to(self, user):
        from projects.audit import PROJECT_VISIBLE, RESTRICTED
        from projects.models import Project

        if permissions.sees_whole_portfolio(user):
            # Who looked at whose personal data, and the access log (sign-ins, refusals, exports, reads of
            # case files), are for those who may see people across the district (civil affairs, the committee).
            return self if permissions.can_see_same_person(user) else self.exclude(action__in=RESTRICTED)
        return self.filter(project__in=Project.objects.visible_to(user), action__in=PROJECT_VISIBLE)

    def for_list(self):
        return self.select_related("actor", "project", "content_type")

    def transitions(self):
        """The workflow transitions (not the creation of the project)."""
        from projects.audit import TRANSITION_ACTIONS

        return self.filter(action__in=TRANSITION_ACTIONS)

    def for_timeline(self):
        """A project's timeline as its pages show it (workbench and portal): oldest first, with who acted.

        What happened to the project, not who looked at it: the access log (reads of its cases, downloads,
        refusals) stays in the audit list."""
        from projects.audit import ACCESS_LOG, ACCOUNT_EVENTS

        return self.exclude(action__in=ACCESS_LOG | ACCOUNT_EVENTS).select_related("actor").order_by("at", "pk")

    def timeline_of(self, project):
        return self.filter(project=project).for_timeline()


class ScopedByProjectQuerySet(models.QuerySet):
    """Records that belong to one project are seen exactly where their project is."""

    project_path = "project"

    def visible_to(self, user):
        from projects.models import Project

        if permissions.sees_whole_portfolio(user):
            return self
        return self.filter(**{f"{self.project_path}__in": Project.objects.visible_to(user)})

    def for_list(self):
        return self.select_related(self.project_path)


class FollowUpQuerySet(ScopedByProjectQuerySet):
    project_path = "enrollment__project"

    def for_list(self):
        return self.select_related("enrollment__project", "enrollment__beneficiary", "social_worker")


class EnrollmentQuerySet(ScopedByProjectQuerySet):
    def for_list(self):
        return self.select_related("project", "beneficiary", "community")


class ScopedByUnitQuerySet(models.QuerySet):
    """People registered by a unit (its social workers, its volunteers) are that unit's to see."""

    unit_field = "organization"

    def visible_to(self, user):
        if permissions.sees_whole_portfolio(user):
            return self
        if permissions.is_implementing_unit(user):
            return self.filter(**{f"{self.unit_field}_id": permissions.organization_id_of(user)})
        return self.none()

    def for_list(self):
        return self.select_related(self.unit_field)


class SocialWorkerQuerySet(ScopedByUnitQuerySet):
    unit_field = "employer"


class VolunteerQuerySet(ScopedByUnitQuerySet):
    unit_field = "organization"


class BeneficiaryQuerySet(models.QuerySet):
    """The district-wide person keys: programme staff only (units and evaluators work with cases)."""

    def visible_to(self, user):
        return self if permissions.sees_whole_portfolio(user) else self.none()

    def for_list(self):
        from projects.models import Enrollment

        cases = Enrollment.objects.filter(beneficiary=OuterRef("pk")).order_by().values("beneficiary")
        return self.annotate(case_count=Coalesce(Subquery(cases.annotate(n=Count("pk")).values("n")), Value(0)))


class InstalmentQuerySet(ScopedByProjectQuerySet):
    def for_list(self):
        return self.select_related("project", "project__round", "released_by")


def evaluator_access_cutoff() -> datetime.datetime:
    """Evaluations finalised before this moment no longer open their project to their evaluators."""
    grace_days = getattr(settings, "QICAI_EVALUATOR_GRACE_DAYS", 30)
    return timezone.now() - datetime.timedelta(days=grace_days)


class EvaluationQuerySet(models.QuerySet):
    """Programme staff see every evaluation; an evaluator those assigned to it; a unit its projects' results.

    An evaluator keeps seeing the evaluations assigned to it, finalised or not, for good: the record of
    its own work and the evaluation's result (score, grade). The project behind one, with its cases,
    follow-ups and activities, it sees only while ``opening_project()`` holds (see ``ProjectQuerySet.visible_to``).
    """

    def opening_project(self):
        """Evaluations through which their evaluators see the project: still open, or finalised less than
        ``QICAI_EVALUATOR_GRACE_DAYS`` (default 30) days ago. A finalised evaluation without a finalising
        time opens nothing."""
        from projects.models import Evaluation

        return self.filter(Q(status=Evaluation.Status.OPEN) | Q(finalised_at__gte=evaluator_access_cutoff()))

    def visible_to(self, user):
        if permissions.sees_whole_portfolio(user):
            return self
        if permissions.is_evaluator(user):
            return self.filter(evaluators=user)
        if permissions.is_implementing_unit(user):
            return self.filter(project__implementing_unit_id=permissions.organization_id_of(user))
        return self.none()

    def for_list(self):
        return self.select_related("project", "project__round", "template")


class ScorecardQuerySet(models.QuerySet):
    """An evaluator sees its own scorecards for good, and its colleagues' on the same evaluation only once
    it is finalised and while it still opens the project (the grace period of ``opening_project``)."""

    def visible_to(self, user):
        if permissions.sees_whole_portfolio(user):
            return self
        if permissions.is_evaluator(user):
            return self.filter(evaluation__evaluators=user).filter(
                Q(evaluator=user)
                | Q(
                    evaluation__status=states.EvaluationStatus.FINALISED,
                    evaluation__finalised_at__gte=evaluator_access_cutoff(),
                )
            )
        if permissions.is_implementing_unit(user):
            return self.filter(
                evaluation__project__implementing_unit_id=permissions.organization_id_of(user),
                evaluation__status=states.EvaluationStatus.FINALISED,
            )
        return self.none()

    def for_list(self):
        return self.select_related("evaluation", "evaluation__project", "evaluator")
