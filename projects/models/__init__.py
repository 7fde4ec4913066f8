"""The portfolio's records. ``core``: organisations, rounds, projects, agreements, money;
``casework``: beneficiaries, enrolments, follow-ups, activities, volunteers, social workers, cases."""

from projects.models.audit import AuditEntry, DataVersion  # noqa: F401
from projects.models.casework import (  # noqa: F401
    Activity,
    ActivityPhoto,
    ActivityStaff,
    ActivityVolunteer,
    Beneficiary,
    CaseStory,
    Enrollment,
    FollowUp,
    NeedAssessment,
    RiskLevel,
    SocialWorker,
    SpecialGroup,
    Volunteer,
)
from projects.models.core import (  # noqa: F401  # noqa: F401
    ZERO,
    Agreement,
    BudgetCategory,
    BudgetLine,
    FormSubmission,
    Instalment,
    InstalmentCondition,
    Membership,
    Organization,
    Project,
    Round,
    RoundInstalmentRule,
    ServiceCategory,
    SocialFund,
    money_field,
)
from projects.models.evaluation import (  # noqa: F401
    AgencyStanding,
    ComplianceNote,
    Evaluation,
    EvaluationKind,
    Grade,
    RubricCriterion,
    RubricTemplate,
    Scorecard,
    ScoreItem,
)
from projects.models.imports import ImportJob  # noqa: F401
