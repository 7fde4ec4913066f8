"""Reads of the portfolio: one named method per screen or scope.

``visible_to(user)`` is the queryset twin of ``projects.permissions``: every list,
export, autocomplete and object lookup goes through it.
"""

from django.db import models
from django.db.models import Q

from projects import permissions


class OrganizationQuerySet(models.QuerySet):
    def of_type(self, *types):
        return self.filter(type__in=types)

    def for_list(self):
        return self.select_related("parent")


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        if permissions.sees_whole_portfolio(user):
            return self
        if permissions.is_implementing_unit(user):
            return self.filter(implementing_unit_id=permissions.organization_id_of(user))
        return self.none()

    def in_round(self, round_):
        return self.filter(round=round_)

    def for_list(self):
        """What a project list row shows: round, unit, category and place in one query."""
        return self.select_related("round", "implementing_unit", "category", "subdistrict", "community")

    def in_states(self, states):
        return self.filter(status__in=states)


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user):
        if permissions.sees_whole_portfolio(user):
            return self
        if permissions.is_implementing_unit(user):
            org = permissions.organization_id_of(user)
            return self.filter(Q(party_b_id=org) | Q(project__implementing_unit_id=org))
        return self.none()

    def for_list(self):
        return self.select_related("round", "project", "party_a", "party_b")


class ProjectTransitionQuerySet(models.QuerySet):
    def visible_to(self, user):
        from projects.models import Project

        return self.filter(project__in=Project.objects.visible_to(user))

    def for_list(self):
        return self.select_related("project", "actor")
