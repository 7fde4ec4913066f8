from django.db import models


class OrganizationQuerySet(models.QuerySet):
    def of_type(self, *types):
        return self.filter(type__in=types)

    def for_list(self):
        return self.select_related("parent")


class ProjectQuerySet(models.QuerySet):
    def in_round(self, round_):
        return self.filter(round=round_)

    def for_list(self):
        """What a project list row shows: round, unit, category and place in one query."""
        return self.select_related("round", "implementing_unit", "category", "subdistrict", "community")


class AgreementQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("round", "project", "party_a", "party_b")
