"""Who may nominate for awards and who decides: predicates the services and the admin both ask.

Awards are the committee's and the association's business across the whole portfolio, so these read
the role table's permissions only (``projects.roles``); scope is the whole programme.
"""

from awards.models import Nomination
from projects.permissions import is_active_staff, is_implementing_unit, organization_id_of, sees_whole_portfolio


def can_nominate(user) -> bool:
    """Propose nominations from the evaluation ranking, and nominate others with a reason."""
    return is_active_staff(user) and user.has_perm("awards.add_nomination")


def can_decide_nominations(user) -> bool:
    """Confirm nominations (each becoming an award record) or decline them."""
    return is_active_staff(user) and user.has_perm("awards.decide_nomination")


def can_decide(user, nomination: Nomination) -> bool:
    """The confirm and decline buttons of one nomination: while it is pending."""
    return nomination.status == Nomination.Status.PENDING and can_decide_nominations(user)


def can_import_award_records(user) -> bool:
    """Bring in past rounds' award lists (导入表彰记录): programme staff holding ``import_awardrecord``."""
    return is_active_staff(user) and user.has_perm("awards.import_awardrecord") and sees_whole_portfolio(user)


def can_print_certificate(user, record) -> bool:
    """An award certificate (荣誉证书): programme staff, any; a unit, those of its own projects or to itself."""
    if not (is_active_staff(user) and user.has_perm("awards.view_awardrecord")):
        return False
    if sees_whole_portfolio(user):
        return True
    if not is_implementing_unit(user):
        return False
    unit = organization_id_of(user)
    return record.organization_id == unit or (
        record.project_id is not None and record.project.implementing_unit_id == unit
    )


def can_print_round_certificates(user) -> bool:
    """All certificates of a round in one PDF, for the ceremony: programme staff."""
    return is_active_staff(user) and user.has_perm("awards.view_awardrecord") and sees_whole_portfolio(user)
