"""The role groups and the one table of what each holds: role → permissions, as it is today.

Roles are Django groups (created by migration 0002; their names are data and never change). A
user's powers are the permissions of their groups, narrowed by scope: the predicates in
``projects.permissions`` (and ``awards.permissions``) decide who may do what to which object, and
read these permissions, never the group names, for what a role may do.

``ROLE_PERMISSIONS`` is the current truth for the ``projects`` and ``awards`` apps together. The
migrations before 0021 granted and revoked permissions step by step (their frozen lists are
history); from 0021 on, migrations apply this table, and ``tests/projects/test_roles.py`` holds
the database's groups, the latest migration and the README against it. ``manage.py roles``
prints it (``--markdown`` for the README block, ``--check`` to compare a database with it).

How to change what a role may do:

1. edit ``ROLE_PERMISSIONS`` below (a permission is ``app_label.codename``; a new model's or a
   new ``Meta.permissions`` entry's permission can be named once its migration exists);
2. add a migration, after the one that creates any model or permission you named, whose
   operation is ``migrations.RunPython(apply_role_table, migrations.RunPython.noop)`` and which
   sets ``ROLE_TABLE_DIGEST`` to the value ``manage.py roles --digest`` prints (the test says so if
   you forget);
3. run ``manage.py roles --markdown`` and paste its output into README.md between the
   ``roles:begin`` and ``roles:end`` markers (the test compares them).

Applying the table makes each role group hold exactly these permissions: missing ones are added,
any other (from any app, given by hand in the admin included) is removed. No ``post_migrate``
handler re-applies it: a change of what a role may do is a reviewed migration that a deployment
lists, runs once and in order (a backwards migration is not undone behind its back), and a hand-made
emergency revocation is not silently reverted by the next unrelated ``migrate``.
"""

import contextlib
import hashlib
import json

COMMITTEE = "社工委"
CIVIL_AFFAIRS = "民政/社工办"
ASSOCIATION = "协会管理员"
IMPLEMENTING_UNIT = "实施单位"
EVALUATOR = "评估专家"

ALL_ROLES = (COMMITTEE, CIVIL_AFFAIRS, ASSOCIATION, IMPLEMENTING_UNIT, EVALUATOR)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # The District Social Work Committee reads everything (personal data masked) and decides awards.
    COMMITTEE: frozenset(
        {
            # Excel: lists out, and in where the role creates the records (issue 11).
            "awards.export_awardrecord",
            "awards.export_nomination",
            "projects.export_activity",
            "projects.export_agreement",
            "projects.export_auditentry",
            "projects.export_casestory",
            "projects.export_enrollment",
            "projects.export_evaluation",
            "projects.export_followup",
            "projects.export_instalment",
            "projects.export_organization",
            "projects.export_project",
            "projects.export_round",
            "projects.export_socialfund",
            "projects.export_socialworker",
            "projects.export_volunteer",
            "projects.view_organization",
            "projects.view_round",
            "projects.view_servicecategory",
            "projects.view_project",
            "projects.view_agreement",
            "projects.view_auditentry",
            # money
            "projects.view_budgetcategory",
            "projects.view_budgetline",
            "projects.view_socialfund",
            "projects.view_roundinstalmentrule",
            "projects.view_instalment",
            # casework, masked; the person key (that two cases are one person)
            "projects.view_beneficiary",
            "projects.view_enrollment",
            "projects.view_needassessment",
            "projects.view_socialworker",
            "projects.view_volunteer",
            "projects.view_followup",
            "projects.view_activity",
            "projects.view_activitystaff",
            "projects.view_activityvolunteer",
            "projects.view_activityphoto",
            "projects.view_casestory",
            # evaluations and agencies' standing
            "projects.view_rubrictemplate",
            "projects.view_rubriccriterion",
            "projects.view_evaluation",
            "projects.view_scorecard",
            "projects.view_scoreitem",
            "projects.view_agencystanding",
            "projects.view_compliancenote",
            # awards: confirms or declines nominations (award records come only from confirmations)
            "awards.view_awardtype",
            "awards.view_awardrecord",
            "awards.view_nomination",
            "awards.decide_nomination",
        }
    ),
    # Civil affairs runs the programme: rounds, approval, agreements, money, evaluations.
    CIVIL_AFFAIRS: frozenset(
        {
            # Excel: lists out, and in where the role creates the records (issue 11).
            "awards.export_awardrecord",
            "awards.export_nomination",
            "awards.import_awardrecord",
            "projects.export_activity",
            "projects.export_agreement",
            "projects.export_auditentry",
            "projects.export_casestory",
            "projects.export_enrollment",
            "projects.export_evaluation",
            "projects.export_followup",
            "projects.export_instalment",
            "projects.export_organization",
            "projects.export_project",
            "projects.export_round",
            "projects.export_socialfund",
            "projects.export_socialworker",
            "projects.export_volunteer",
            "projects.import_organization",
            "projects.import_project",
            "projects.import_scorecard",
            "projects.export_scorecard",
            "projects.view_organization",
            "projects.add_organization",
            "projects.change_organization",
            "projects.view_round",
            "projects.add_round",
            "projects.change_round",
            "projects.view_servicecategory",
            "projects.add_servicecategory",
            "projects.change_servicecategory",
            "projects.view_project",
            "projects.change_project",
            "projects.approve_project",
            "projects.sign_project",
            "projects.start_project",
            "projects.terminate_project",
            "projects.archive_project",
            "projects.view_agreement",
            "projects.add_agreement",
            "projects.change_agreement",
            "projects.view_auditentry",
            # money: budget categories, instalment plans, releases (拨付), social funds
            "projects.view_budgetcategory",
            "projects.add_budgetcategory",
            "projects.change_budgetcategory",
            "projects.view_budgetline",
            "projects.view_socialfund",
            "projects.add_socialfund",
            "projects.change_socialfund",
            "projects.delete_socialfund",
            "projects.view_roundinstalmentrule",
            "projects.add_roundinstalmentrule",
            "projects.change_roundinstalmentrule",
            "projects.delete_roundinstalmentrule",
            "projects.view_instalment",
            "projects.release_instalment",
            # casework, masked (never revealed); the person key
            "projects.view_beneficiary",
            "projects.view_enrollment",
            "projects.view_needassessment",
            "projects.view_socialworker",
            "projects.view_volunteer",
            "projects.view_followup",
            "projects.view_activity",
            "projects.view_activitystaff",
            "projects.view_activityvolunteer",
            "projects.view_activityphoto",
            "projects.view_casestory",
            # evaluations: rubrics, organising, assigning evaluators, finalising, clearing rectification
            "projects.view_rubrictemplate",
            "projects.add_rubrictemplate",
            "projects.change_rubrictemplate",
            "projects.view_rubriccriterion",
            "projects.add_rubriccriterion",
            "projects.change_rubriccriterion",
            "projects.delete_rubriccriterion",
            "projects.view_evaluation",
            "projects.add_evaluation",
            "projects.change_evaluation",
            "projects.assign_evaluators",
            "projects.finalise_evaluation",
            "projects.clear_rectification",
            "projects.view_scorecard",
            "projects.view_scoreitem",
            "projects.view_agencystanding",
            "projects.view_compliancenote",
            # awards: reads them (no longer adds or edits award records by hand)
            "awards.view_awardtype",
            "awards.view_awardrecord",
            "awards.view_nomination",
        }
    ),
    # The association reviews applications, signs agreements, keeps agencies' standing and nominates.
    # It sees activities, social workers, volunteers and case stories, but no people served.
    ASSOCIATION: frozenset(
        {
            # Excel: lists out, and in where the role creates the records (issue 11).
            "awards.export_awardrecord",
            "awards.export_nomination",
            "projects.export_activity",
            "projects.export_agreement",
            "projects.export_auditentry",
            "projects.export_casestory",
            "projects.export_evaluation",
            "projects.export_instalment",
            "projects.export_organization",
            "projects.export_project",
            "projects.export_round",
            "projects.export_socialfund",
            "projects.export_socialworker",
            "projects.export_volunteer",
            "projects.import_organization",
            "projects.view_organization",
            "projects.add_organization",
            "projects.change_organization",
            "projects.view_round",
            "projects.view_servicecategory",
            "projects.view_project",
            "projects.review_project",
            "projects.sign_project",
            "projects.view_agreement",
            "projects.add_agreement",
            "projects.change_agreement",
            "projects.view_auditentry",
            # money, read only
            "projects.view_budgetcategory",
            "projects.view_budgetline",
            "projects.view_socialfund",
            "projects.view_roundinstalmentrule",
            "projects.view_instalment",
            # service records (no cases, follow-ups or needs); excellent case stories
            "projects.view_socialworker",
            "projects.view_volunteer",
            "projects.view_activity",
            "projects.view_activitystaff",
            "projects.view_activityvolunteer",
            "projects.view_activityphoto",
            "projects.view_casestory",
            "projects.mark_excellent_casestory",
            # evaluations, read only (no scorecards); agencies' standing and compliance notes
            "projects.view_rubrictemplate",
            "projects.view_rubriccriterion",
            "projects.view_evaluation",
            "projects.view_agencystanding",
            "projects.add_agencystanding",
            "projects.change_agencystanding",
            "projects.view_compliancenote",
            "projects.add_compliancenote",
            "projects.change_compliancenote",
            "projects.delete_compliancenote",
            # awards: nominates (from the ranking, or others with a reason)
            "awards.view_awardtype",
            "awards.view_awardrecord",
            "awards.view_nomination",
            "awards.add_nomination",
        }
    ),
    # An implementing unit applies for and runs its own projects and keeps their service records
    # (scope: its own organisation only). It never sees the district-wide person key.
    IMPLEMENTING_UNIT: frozenset(
        {
            # Excel: lists out, and in where the role creates the records (issue 11).
            "projects.export_activity",
            "projects.export_agreement",
            "projects.export_casestory",
            "projects.export_enrollment",
            "projects.export_followup",
            "projects.export_instalment",
            "projects.export_project",
            "projects.export_socialfund",
            "projects.export_socialworker",
            "projects.export_volunteer",
            "projects.import_activity",
            "projects.import_enrollment",
            "projects.import_followup",
            "projects.import_project",
            "projects.view_organization",
            "projects.view_round",
            "projects.view_servicecategory",
            "projects.view_project",
            "projects.add_project",
            "projects.change_project",
            "projects.delete_project",
            "projects.submit_project",
            "projects.start_project",
            "projects.view_agreement",
            "projects.view_auditentry",
            # money: its budget lines and matched social funds
            "projects.view_budgetcategory",
            "projects.view_budgetline",
            "projects.add_budgetline",
            "projects.change_budgetline",
            "projects.delete_budgetline",
            "projects.view_socialfund",
            "projects.add_socialfund",
            "projects.change_socialfund",
            "projects.delete_socialfund",
            "projects.view_roundinstalmentrule",
            "projects.view_instalment",
            # casework of its own projects; the logged reveal of a full ID number, birth date or phone
            "projects.view_personal_data",
            "projects.view_enrollment",
            "projects.add_enrollment",
            "projects.change_enrollment",
            "projects.view_needassessment",
            "projects.add_needassessment",
            "projects.change_needassessment",
            "projects.delete_needassessment",
            "projects.view_socialworker",
            "projects.add_socialworker",
            "projects.change_socialworker",
            "projects.delete_socialworker",
            "projects.view_volunteer",
            "projects.add_volunteer",
            "projects.change_volunteer",
            "projects.delete_volunteer",
            "projects.view_followup",
            "projects.add_followup",
            "projects.change_followup",
            "projects.delete_followup",
            "projects.view_activity",
            "projects.add_activity",
            "projects.change_activity",
            "projects.delete_activity",
            "projects.view_activitystaff",
            "projects.add_activitystaff",
            "projects.change_activitystaff",
            "projects.delete_activitystaff",
            "projects.view_activityvolunteer",
            "projects.add_activityvolunteer",
            "projects.change_activityvolunteer",
            "projects.delete_activityvolunteer",
            "projects.view_activityphoto",
            "projects.add_activityphoto",
            "projects.delete_activityphoto",
            "projects.view_casestory",
            "projects.add_casestory",
            "projects.change_casestory",
            "projects.delete_casestory",
            # its projects' evaluations (not who evaluates them while it matters)
            "projects.view_rubrictemplate",
            "projects.view_rubriccriterion",
            "projects.view_evaluation",
            "projects.view_scorecard",
            "projects.view_scoreitem",
            "awards.view_awardtype",
            "awards.view_awardrecord",
        }
    ),
    # An evaluator reads the projects of the evaluations assigned to it (masked, for a while) and
    # fills its own scorecards.
    EVALUATOR: frozenset(
        {
            "projects.view_organization",
            "projects.view_round",
            "projects.view_servicecategory",
            "projects.view_project",
            "projects.view_auditentry",
            "projects.view_enrollment",
            "projects.view_needassessment",
            "projects.view_socialworker",
            "projects.view_volunteer",
            "projects.view_followup",
            "projects.view_activity",
            "projects.view_activitystaff",
            "projects.view_activityvolunteer",
            "projects.view_activityphoto",
            "projects.view_casestory",
            "projects.view_rubrictemplate",
            "projects.view_rubriccriterion",
            "projects.view_evaluation",
            "projects.view_scorecard",
            "projects.add_scorecard",
            "projects.change_scorecard",
            "projects.view_scoreitem",
            "projects.add_scoreitem",
            "projects.change_scoreitem",
        }
    ),
}


def role_table_digest() -> str:
    """A short fingerprint of ``ROLE_PERMISSIONS``: the migration that applies the table records it."""
    canonical = json.dumps({role: sorted(names) for role, names in ROLE_PERMISSIONS.items()}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def app_labels() -> list[str]:
    return sorted({name.split(".", 1)[0] for names in ROLE_PERMISSIONS.values() for name in names})


def apply_role_table(apps, schema_editor=None) -> None:
    """Make every role group hold exactly its permissions in ``ROLE_PERMISSIONS``: add, and remove.

    ``apps`` is a migration's historical registry (usable directly as a ``RunPython`` function)
    or ``django.apps.apps``. A permission the registry does not know yet (its model or
    ``Meta.permissions`` entry comes in a later migration) is left for the migration that comes
    with it to apply: a fresh database runs every migration with today's table.
    """
    from projects.role_grants import ensure_permissions

    for label in app_labels():
        # An app none of whose migrations has run yet has no permissions to give; they come later.
        with contextlib.suppress(LookupError):
            ensure_permissions(apps, label)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    known = {
        f"{permission.content_type.app_label}.{permission.codename}": permission
        for permission in Permission.objects.filter(content_type__app_label__in=app_labels()).select_related(
            "content_type"
        )
    }
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([known[name] for name in sorted(names) if name in known])


def database_differences() -> dict[str, dict[str, list[str]]]:
    """Per role whose group differs from the table: the permissions it ``lacks`` and those it holds ``beyond``."""
    from django.contrib.auth.models import Group

    held: dict[str, set[str]] = {}
    for name, app_label, codename in Group.objects.filter(name__in=ROLE_PERMISSIONS).values_list(
        "name", "permissions__content_type__app_label", "permissions__codename"
    ):
        held.setdefault(name, set())
        if codename:  # a group without permissions gives one row of None
            held[name].add(f"{app_label}.{codename}")
    differences = {}
    for role, names in ROLE_PERMISSIONS.items():
        lacks, beyond = sorted(names - held.get(role, set())), sorted(held.get(role, set()) - names)
        if lacks or beyond or role not in held:
            differences[role] = {"lacks": lacks, "beyond": beyond}
    return differences
