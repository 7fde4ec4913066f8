"""Who may see and do what: predicates used by the admin, the views and the services alike.

Scope has two shapes. Programme staff (社工委, 民政/社工办, 协会管理员) and superusers
see the whole portfolio. An implementing unit sees its own organisation's projects
and nothing of any other unit's. An evaluator sees only what is assigned to it (none
until evaluations exist): a project and its casework while an assigned evaluation
is open or was finalised less than ``QICAI_EVALUATOR_GRACE_DAYS`` ago, the
evaluation record itself and its own scorecard for good. The queryset twins of
these predicates are the ``visible_to`` methods in ``projects.querysets``.

Every decision "may this user do that" is a predicate here (``awards.permissions`` for awards),
and services, admin buttons, ``render_change_form`` and the pages ask the same ones. What a role
holds is the table in ``projects.roles``: the predicates read its permissions for what a user may
do, and group names only for scope (above). Guarded actions come in two layers:

- a power over a project (role and scope): ``can_release_instalments(user, project)``,
  ``can_organise_evaluations``, ``can_grade_evaluations``, ``can_oversee_rectification``,
  ``can_manage_agreements``. A service checks it first and refuses with "您不能……";
- the action on one object now (power and state), for a button: ``can_release(user, instalment)``,
  ``can_assign_evaluators``, ``can_finalise``, ``can_clear_rectification``, ``can_sign_framework`` …
  The service checks the state itself after the power, to say what is wrong with the object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from projects import roles, states

if TYPE_CHECKING:
    from projects.models import Agreement, Evaluation, Instalment, Project
    from projects.workflow import Transition

PROGRAMME_ROLES = frozenset({roles.COMMITTEE, roles.CIVIL_AFFAIRS, roles.ASSOCIATION})


def roles_of(user) -> frozenset[str]:
    """The user's role group names, read once per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_qicai_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._qicai_roles = cached
    return cached


def organization_id_of(user) -> int | None:
    """The id of the organisation the user belongs to, read once per user object."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_qicai_organization_id"):
        from projects.models import Membership

        user._qicai_organization_id = (
            Membership.objects.filter(user=user).values_list("organization_id", flat=True).first()
        )
    return user._qicai_organization_id


def is_active_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def standing(user) -> tuple:
    """Everything the predicates of this module read of a user besides the records: active and staff flags,
    superuser, roles, permissions, organisation. Two users of equal standing are answered alike, so what is
    computed for one may be kept for the other (``projects.data_version.cached`` keys by it)."""
    if not getattr(user, "is_authenticated", False):
        return ("anonymous",)
    return (
        user.is_active,
        user.is_staff,
        user.is_superuser,
        tuple(sorted(roles_of(user))),
        tuple(sorted(user.get_all_permissions())),
        organization_id_of(user),
    )


def sees_whole_portfolio(user) -> bool:
    return is_active_staff(user) and (user.is_superuser or bool(roles_of(user) & PROGRAMME_ROLES))


def is_implementing_unit(user) -> bool:
    return (
        is_active_staff(user)
        and not sees_whole_portfolio(user)
        and roles.IMPLEMENTING_UNIT in roles_of(user)
        and organization_id_of(user) is not None
    )


def is_evaluator(user) -> bool:
    return is_active_staff(user) and not sees_whole_portfolio(user) and roles.EVALUATOR in roles_of(user)


def can_view_project(user, project: Project) -> bool:
    if sees_whole_portfolio(user):
        return True
    if is_implementing_unit(user):
        return project.implementing_unit_id == organization_id_of(user)
    if is_evaluator(user):
        # Twin of ProjectQuerySet.visible_to: access ends with the evaluation's grace period.
        return project.evaluations.filter(evaluators=user).opening_project().exists()
    return False


def can_view_evaluation(user, evaluation: Evaluation) -> bool:
    """Twin of ``EvaluationQuerySet.visible_to``: an evaluator keeps its assigned evaluations' records."""
    if sees_whole_portfolio(user):
        return True
    if is_evaluator(user):
        return evaluation.evaluators.filter(pk=user.pk).exists()
    if is_implementing_unit(user):
        return evaluation.project.implementing_unit_id == organization_id_of(user)
    return False


def can_edit_project(user, project: Project) -> bool:
    """Edit the application's fields (never its status or approved amount: those are transitions)."""

    if not (is_active_staff(user) and user.has_perm("projects.change_project")):
        return False
    if is_implementing_unit(user):
        return can_view_project(user, project) and project.status in states.UNIT_EDITABLE
    return sees_whole_portfolio(user) and project.status not in states.FINAL


def can_delete_project(user, project: Project) -> bool:
    """Only a draft that never left its unit can be deleted; everything after is record."""
    from projects.models import Project as ProjectModel

    return (
        is_active_staff(user)
        and user.has_perm("projects.delete_project")
        and project.status == ProjectModel.Status.DRAFT
        and can_view_project(user, project)
        and not project.audit_entries.transitions().exists()
    )


def holds_transition_permission(user, transition: Transition) -> bool:
    """The role part of a transition: the permission it needs (scope and state are per project)."""
    return is_active_staff(user) and user.has_perm(transition.permission)


def can_transition(user, project: Project, transition: Transition) -> bool:
    """May ``user`` take ``transition`` on ``project`` now (role, scope and current state)?"""
    return (
        project.status in transition.sources
        and holds_transition_permission(user, transition)
        and can_view_project(user, project)
    )


def available_transitions(user, project: Project) -> list[Transition]:
    """The transition buttons ``user`` sees on ``project`` now: the workbench's and the portal's project pages.

    The expected next steps first, in the workflow's order; destructive ones (不予推荐, 终止) last, which the
    pages set apart."""
    from projects.workflow import transitions_from

    allowed = [t for t in transitions_from(project.status) if can_transition(user, project, t)]
    return sorted(allowed, key=lambda transition: transition.button_class == "danger")


def can_view_agreement(user, agreement: Agreement) -> bool:
    if sees_whole_portfolio(user):
        return True
    if is_implementing_unit(user):
        org = organization_id_of(user)
        return agreement.party_b_id == org or (agreement.project_id and agreement.project.implementing_unit_id == org)
    return False


def can_manage_agreements(user) -> bool:
    """Draft, sign and terminate agreements and upload their signed scans: programme staff holding the permission."""
    return is_active_staff(user) and user.has_perm("projects.change_agreement") and sees_whole_portfolio(user)


def can_edit_agreement(user, agreement: Agreement) -> bool:
    """A signed or terminated agreement is record: it is terminated with a reason, never edited."""
    from projects.models import Agreement as AgreementModel

    return agreement.status == AgreementModel.Status.DRAFT and can_manage_agreements(user)


def can_sign_framework(user, agreement: Agreement) -> bool:
    """A round's framework agreement, while a draft (a project agreement is signed by its project's transition)."""
    from projects.models import Agreement as AgreementModel

    return (
        agreement.kind == AgreementModel.Kind.FRAMEWORK
        and agreement.status == AgreementModel.Status.DRAFT
        and can_manage_agreements(user)
    )


def can_sign_project_agreement(user, agreement: Agreement) -> bool:
    """A drafted project agreement is signed by its project's 签订项目协议 transition."""
    from projects.models import Agreement as AgreementModel

    return (
        agreement.kind == AgreementModel.Kind.PROJECT
        and agreement.status == AgreementModel.Status.DRAFT
        and can_transition_by_action(user, agreement.project, states.Action.SIGN)
    )


def can_terminate_agreement(user, agreement: Agreement) -> bool:
    """A signed framework agreement (a project agreement ends with its project)."""
    from projects.models import Agreement as AgreementModel

    return (
        agreement.kind == AgreementModel.Kind.FRAMEWORK
        and agreement.status == AgreementModel.Status.SIGNED
        and can_manage_agreements(user)
    )


def can_upload_scan(user, agreement: Agreement) -> bool:
    from projects.models import Agreement as AgreementModel

    return can_manage_agreements(user) and agreement.status != AgreementModel.Status.TERMINATED


def can_download_scan(user, agreement: Agreement) -> bool:
    """The signed scan goes to whoever may see the agreement, and to nobody else."""
    return is_active_staff(user) and user.has_perm("projects.view_agreement") and can_view_agreement(user, agreement)


# -- money ---------------------------------------------------------------------------------


def can_release_instalments(user, project: Project) -> bool:
    """Record releases (拨付) of ``project``'s instalments: role and scope."""
    return is_active_staff(user) and user.has_perm("projects.release_instalment") and can_view_project(user, project)


def can_release(user, instalment: Instalment) -> bool:
    """The 登记拨付 button of one instalment: still planned (the service checks its condition and order)."""
    from projects.models import Instalment as InstalmentModel

    return can_release_instalments(user, instalment.project) and instalment.status == InstalmentModel.Status.PLANNED


def can_record_social_funds(user, project: Project) -> bool:
    """Matched funds are recorded by the project's unit or by programme staff, while the project is alive."""

    return (
        is_active_staff(user)
        and user.has_perm("projects.change_socialfund")
        and can_view_project(user, project)
        and project.status not in states.CLOSED_TO_FUNDS
    )


def can_transition_by_action(user, project: Project, action: str) -> bool:
    from projects.workflow import TRANSITIONS

    return can_transition(user, project, TRANSITIONS[action])


# -- casework: people served, and the service given --------------------------------------

CASEWORK_STATES = states.CASEWORK


def can_see_same_person(user) -> bool:
    """See the district-wide person key: that two cases (of different units) are one person.

    Programme staff holding ``view_beneficiary`` only; a unit never learns whether a person it
    serves is known elsewhere.
    """
    return sees_whole_portfolio(user) and user.has_perm("projects.view_beneficiary")


def can_read_access_log(user) -> bool:
    """The access log (sign-ins, refusals, exports, reads of case files) and the unusual-reading list (异常查阅).

    Who opened which person's case is itself personal data: for those who may see people across the district
    (civil affairs, the committee, superusers), as the personal-data actions are.
    """
    return can_see_same_person(user) and user.has_perm("projects.view_auditentry")


def can_view_beneficiary(user, beneficiary) -> bool:
    return can_see_same_person(user)


def can_view_casework(user, project: Project) -> bool:
    """The project's cases, needs and follow-ups (masked unless revealed): those of its own unit and programme staff,
    and its evaluators while they see the project; the association has no business with the people served."""
    return is_active_staff(user) and user.has_perm("projects.view_enrollment") and can_view_project(user, project)


def can_view_enrollment(user, enrollment) -> bool:
    return user.has_perm("projects.view_enrollment") and can_view_project(user, enrollment.project)


REVEAL_PERMISSION = "projects.view_personal_data"


def can_reveal_personal_data(user, record) -> bool:
    """Reveal a full ID number, birth date or phone number of ``record`` (logged, one value at a time).

    ``record`` is a case (个案), a social worker or a volunteer: only the unit that keeps it, holding
    the permission, or a superuser. Programme staff read masked values; evaluators never reveal.
    """
    from projects.models import Enrollment, SocialWorker, Volunteer

    if not (is_active_staff(user) and user.has_perm(REVEAL_PERMISSION)):
        return False
    if isinstance(record, Enrollment):
        owner = record.project.implementing_unit_id
    elif isinstance(record, SocialWorker):
        owner = record.employer_id
    elif isinstance(record, Volunteer):
        owner = record.organization_id
    else:
        return False
    return user.is_superuser or (is_implementing_unit(user) and owner == organization_id_of(user))


def can_export_unmasked(user) -> bool:
    """Export people-records with full numbers (logged): the units' own records, for those who may reveal."""
    return (
        is_active_staff(user) and user.has_perm(REVEAL_PERMISSION) and (user.is_superuser or is_implementing_unit(user))
    )


def requires_two_factor(user) -> bool:
    """Whether the user must sign in with a second factor (qicai.two_factor): superusers and whoever holds
    the reveal permission, when ``QICAI_REQUIRE_2FA`` is on (by default whenever DEBUG is off)."""
    from django.conf import settings

    return bool(
        settings.QICAI_REQUIRE_2FA and is_active_staff(user) and (user.is_superuser or user.has_perm(REVEAL_PERMISSION))
    )


def can_reset_two_factor(user) -> bool:
    """Remove another user's authenticator and recovery codes (a lost phone): superusers only."""
    return is_active_staff(user) and user.is_superuser


def can_keep_casework(user, project: Project) -> bool:
    """The project's own unit records enrolments, follow-ups and activities while the service runs."""
    return (
        is_implementing_unit(user)
        and project.implementing_unit_id == organization_id_of(user)
        and project.status in CASEWORK_STATES
    ) or (getattr(user, "is_superuser", False) and project.status in CASEWORK_STATES)


def can_open_cases(user) -> bool:
    """Open cases or record activities at all: a unit with a project in which casework may be kept now."""
    from projects.models import Project

    return is_active_staff(user) and (user.is_superuser or Project.objects.casework_by(user).exists())


def can_change_case(user, enrollment) -> bool:
    """Change a case (its record, needs, follow-ups) or close it: its project's unit, while it is open."""
    return can_keep_casework(user, enrollment.project) and enrollment.status == states.EnrollmentStatus.OPEN


def can_write_case_story(user, project: Project) -> bool:
    """Write or edit a case story: the project's own unit (or a superuser)."""
    return (is_implementing_unit(user) or (is_active_staff(user) and user.is_superuser)) and can_view_project(
        user, project
    )


def can_view_unit_record(user, organization_id: int) -> bool:
    """Social workers and volunteers: their own unit's, or everything for programme staff."""
    return sees_whole_portfolio(user) or (is_implementing_unit(user) and organization_id == organization_id_of(user))


def can_mark_excellent_case_stories(user) -> bool:
    return is_active_staff(user) and user.has_perm("projects.mark_excellent_casestory")


def can_keep_unit_people(user) -> bool:
    """Register and correct social workers and volunteers: an implementing unit (its own), or a superuser."""
    return is_implementing_unit(user) or (is_active_staff(user) and user.is_superuser)


# -- evaluations ---------------------------------------------------------------------------


def can_revise_rubrics(user) -> bool:
    return is_active_staff(user) and user.has_perm("projects.add_rubrictemplate")


def can_organise_evaluations(user, project: Project) -> bool:
    """Open evaluations of ``project`` and assign their evaluators: role and scope."""
    return is_active_staff(user) and user.has_perm("projects.assign_evaluators") and can_view_project(user, project)


def can_assign_evaluators(user, evaluation: Evaluation) -> bool:
    from projects.models import Evaluation as EvaluationModel

    return evaluation.status == EvaluationModel.Status.OPEN and can_organise_evaluations(user, evaluation.project)


def can_grade_evaluations(user, project: Project) -> bool:
    """Finalise (定级) evaluations of ``project``: role and scope."""
    return is_active_staff(user) and user.has_perm("projects.finalise_evaluation") and can_view_project(user, project)


def can_finalise(user, evaluation: Evaluation) -> bool:
    from projects.models import Evaluation as EvaluationModel

    return evaluation.status == EvaluationModel.Status.OPEN and can_grade_evaluations(user, evaluation.project)


def is_assigned_evaluator(user, evaluation: Evaluation) -> bool:
    """Only the evaluators assigned to an evaluation fill scorecards for it; a superuser too must be assigned."""
    return is_active_staff(user) and evaluation.evaluators.filter(pk=user.pk).exists()


def can_score(user, evaluation: Evaluation) -> bool:
    from projects.models import Evaluation as EvaluationModel

    return evaluation.status == EvaluationModel.Status.OPEN and is_assigned_evaluator(user, evaluation)


def can_export_scorecards(user) -> bool:
    """Download the scorecards of the evaluations a list shows, in the scores import's columns: programme
    staff holding ``export_scorecard`` (civil affairs, who enters the paper ones)."""
    return is_active_staff(user) and user.has_perm("projects.export_scorecard") and sees_whole_portfolio(user)


def can_record_scorecards(user, evaluation: Evaluation) -> bool:
    """Enter an assigned expert's paper scorecard on their behalf (代录评分表): programme staff holding
    ``import_scorecard`` (civil affairs), the evaluation in scope and still open."""
    from projects.models import Evaluation as EvaluationModel

    return (
        is_active_staff(user)
        and user.has_perm("projects.import_scorecard")
        and evaluation.status == EvaluationModel.Status.OPEN
        and sees_whole_portfolio(user)
        and can_view_project(user, evaluation.project)
    )


def can_see_evaluators(user) -> bool:
    """Units do not learn who evaluates them; programme staff and evaluators do."""
    return not is_implementing_unit(user)


def can_oversee_rectification(user, project: Project) -> bool:
    """Clear ``project``'s rectification (整改) once it is done: role and scope."""
    return is_active_staff(user) and user.has_perm("projects.clear_rectification") and can_view_project(user, project)


def can_clear_rectification(user, project: Project) -> bool:
    return project.needs_rectification and can_oversee_rectification(user, project)


# -- printed documents (qicai.documents): who may print what ---------------------------------


def can_print_annual_report(user) -> bool:
    """The annual summary report (年度总结报告) of a round: it reports the whole round, so programme staff."""
    return is_active_staff(user) and user.has_perm("projects.view_project") and sees_whole_portfolio(user)


def can_print_dossier(user, project: Project) -> bool:
    """The project dossier (项目档案) as a PDF: programme staff, and the project's own unit. Not its
    evaluators: they print the score sheets of their evaluations."""
    if not (is_active_staff(user) and user.has_perm("projects.view_project")):
        return False
    if sees_whole_portfolio(user):
        return True
    return is_implementing_unit(user) and project.implementing_unit_id == organization_id_of(user)


def can_print_agreement(user, agreement: Agreement) -> bool:
    """An agreement (协议书), ready to sign or for the file: whoever may see it (a unit, its own)."""
    return is_active_staff(user) and user.has_perm("projects.view_agreement") and can_view_agreement(user, agreement)


def can_print_score_sheet(user, evaluation: Evaluation) -> bool:
    """An evaluation's score sheet (评估表): programme staff and its assigned evaluators, blank while it is
    open and with the scores they may see once finalised; the project's unit once it is finalised."""
    from projects.models import Evaluation as EvaluationModel

    if not (is_active_staff(user) and user.has_perm("projects.view_evaluation")):
        return False
    if sees_whole_portfolio(user):
        return True
    if is_evaluator(user):
        return is_assigned_evaluator(user, evaluation)
    if is_implementing_unit(user):
        return (
            evaluation.status == EvaluationModel.Status.FINALISED
            and evaluation.project.implementing_unit_id == organization_id_of(user)
        )
    return False
