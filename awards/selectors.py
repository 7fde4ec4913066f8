"""Reads of awards for the programme's summaries (``qicai.summaries`` puts them beside the projects' figures)."""

from django.db.models import Count

from awards.models import AwardRecord


def award_counts(round_, key: str | None = None, *, within=None) -> dict:
    """Award records of ``round_`` by award type name, in the types' order: ``{name: records}``.

    With ``key`` (a project field: ``category``, ``subdistrict``, ``service_model``) the project awards
    are grouped by it: ``{key value: {name: records}}``; awards to people and organisations have no group.
    With ``within`` (a project queryset: what a user may see) only the awards to those projects count.
    One query.
    """
    records = AwardRecord.objects.filter(round=round_).order_by()
    if within is not None:
        records = records.filter(project__in=within.order_by().values("pk"))
    if key is None:
        rows = records.values("award_type__name", "award_type__order").annotate(n=Count("pk"))
        return {row["award_type__name"]: row["n"] for row in sorted(rows, key=lambda row: row["award_type__order"])}
    path = f"project__{key}"
    rows = (
        records.filter(project__isnull=False)
        .values(path, "award_type__name", "award_type__order")
        .annotate(n=Count("pk"))
    )
    grouped: dict = {}
    for row in sorted(rows, key=lambda row: row["award_type__order"]):
        grouped.setdefault(row[path], {})[row["award_type__name"]] = row["n"]
    return grouped
